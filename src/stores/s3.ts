/**
 * A store on S3 or any S3-compatible server (import it from "ratzarr/s3";
 * `RatZarr.open("s3://bucket/key")` loads it on first use). Built on
 * `@aws-sdk/client-s3`: credentials, region and endpoint resolve the way AWS
 * tools resolve them, plus `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`.
 *
 * - Conditional writes (`If-Match` on the ETag read, `If-None-Match: *` to
 *   create) make read-modify-write safe with many writers. Servers differ in
 *   how they want the ETag quoted: the store finds out on the first refusal
 *   that is not a real conflict, and remembers.
 * - Retries with exponential backoff and full jitter on throttling (503
 *   SlowDown), 5xx, dropped connections and bodies cut off, bounded in count
 *   and time; by default a connection must be made in 10 s and a socket may
 *   not stay silent for 60 s (`DEFAULT_S3_TIMEOUTS`).
 * - `conditionalSets` makes plain writes conditional too, for servers (Ceph
 *   radosgw 16.2) whose conditional writes can undo a racing plain write.
 * - Listing paginated to the end; deletes in batches of at most 1000.
 *
 * Why one file of ~380 lines: one S3 dialect adapter (requests, retries,
 * ETag quoting, conditional writes, listing, batched deletes) that only reads
 * well whole; options live in s3-options.ts.
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import type { DirListing, GetOptions, Store, StoreOptions, VersionedValue } from "./store.js";
import { RatZarrError, StoreError } from "../errors.js";
import { jitteredDelay, sleep } from "../retry.js";
import { type EnvLookup, processEnv } from "../node/env.js";
import type { S3PathOptions, S3RetryOptions } from "./s3-options.js";

export type { S3RetryOptions } from "./s3-options.js";

export interface S3StoreOptions extends S3PathOptions<S3Client, S3ClientConfig> {
  readonly bucket: string;
  /** Key prefix of the store's root, without leading or trailing "/". */
  readonly prefix?: string;
  readonly readOnly?: boolean;
}

/** `s3://bucket/some/key` → bucket and key prefix. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (m === null || m[1] === "") throw new RatZarrError(`"${url}" is not an s3://bucket/key URL`);
  return { bucket: m[1]!, prefix: m[2]!.replace(/\/+$/, "") };
}

/**
 * Timeouts of the HTTP handler unless `clientConfig.requestHandler` is given: a connection
 * not made in 10 s, or a socket silent for 60 s mid-request, fails that try (and it is
 * retried). The SDK has neither by default, and its `requestTimeout` only logs a warning,
 * so without them a server that stops answering mid-request hangs the caller for good.
 */
export const DEFAULT_S3_TIMEOUTS = { connectionTimeout: 10_000, socketTimeout: 60_000 } as const;

/** The client configuration ratzarr uses: the SDK's defaults, plus the endpoint variables, path-style for custom endpoints, checksums only when required, and `DEFAULT_S3_TIMEOUTS`. */
export function defaultClientConfig(overrides: S3ClientConfig = {}, env: EnvLookup = processEnv): S3ClientConfig {
  const endpoint = overrides.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL");
  const region = overrides.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION");
  return {
    // Our own retries (bounded, jittered, naming the key); the SDK's would multiply them.
    maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: { ...DEFAULT_S3_TIMEOUTS },
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    ...(region === undefined && endpoint !== undefined ? { region: "us-east-1" } : {}),
    ...(region === undefined ? {} : { region }),
    ...overrides,
  };
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const status = (e: unknown): number | undefined => (e as SdkError)?.$metadata?.httpStatusCode;
/** The SDK's error name; for a plain Node `Error` (a connection refused, a body cut off), its code. */
const errName = (e: unknown): string => {
  const { name, code } = (e ?? {}) as SdkError;
  return String(name !== undefined && name !== "Error" ? name : (code ?? name ?? "Error"));
};

/** Error names and Node error codes that mean "try again": throttling, timeouts, connections gone. */
const RETRYABLE_NAMES = new Set(["SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable", "TimeoutError", "RequestTimeoutException", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED", "EAI_AGAIN", "ERR_STREAM_PREMATURE_CLOSE"]);

function isRetryable(e: unknown): boolean {
  const s = status(e);
  if (s !== undefined && (s === 429 || s >= 500) && s !== 501) return true;
  // A body cut off mid-way fails as a plain `Error("aborted")` whose `code` is ECONNRESET: look at the code too.
  if (RETRYABLE_NAMES.has(errName(e)) || RETRYABLE_NAMES.has(String((e as SdkError)?.code))) return true;
  const msg = String((e as SdkError)?.message ?? "");
  return /socket hang up|ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED|other side closed|terminated|network|premature close/i.test(msg) && s === undefined;
}

function describe(e: unknown): string {
  const s = status(e);
  return `${s === undefined ? "" : `HTTP ${s} `}${errName(e)}${(e as SdkError)?.message && (e as SdkError).message !== errName(e) ? `: ${(e as SdkError).message}` : ""}`;
}

/** Per-request options for the SDK; nothing when there is no signal. */
const abortable = (signal: AbortSignal | undefined): { abortSignal?: never } => (signal === undefined ? {} : { abortSignal: signal as never });

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Conditional writes `set` tries under `conditionalSets` before giving up (each refused only because another writer got in first). */
const CONDITIONAL_SET_ROUNDS = 60;

/** A `Store` on an S3 bucket, under a key prefix. */
export class S3Store implements Store {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  readonly readOnly: boolean;
  readonly preferredConcurrency: number;
  /** Requests sent, by kind (for benchmarks and tests). */
  readonly requests = { get: 0, put: 0, delete: 0, list: 0, head: 0, retries: 0 };
  private readonly retry: Required<S3RetryOptions>;
  private readonly unsafe: boolean;
  /** The client was made here (not passed in), so `close()` may destroy it. */
  private readonly ownsClient: boolean;
  private readonly conditionalSets: boolean;
  /** How this server wants If-Match ETags: learnt on the first refusal that is not a conflict. */
  private quoteEtags: boolean | undefined;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new S3Client(defaultClientConfig(options.clientConfig));
    this.readOnly = options.readOnly ?? false;
    this.preferredConcurrency = options.concurrency ?? 16;
    this.unsafe = options.unsafeConcurrentWrites ?? false;
    this.conditionalSets = options.conditionalSets ?? false;
    this.retry = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 4000, maxTotalMs: 60000, ...options.retry };
  }

  /** A store for an `s3://bucket/key` URL. */
  static fromUrl(url: string, options: Omit<S3StoreOptions, "bucket" | "prefix"> = {}): S3Store {
    return new S3Store({ ...options, ...parseS3Url(url) });
  }

  private full(key: string): string {
    return this.prefix === "" ? key : key === "" ? this.prefix : `${this.prefix}/${key}`;
  }

  private where(key: string): string {
    return `s3://${this.bucket}/${this.full(key)}`;
  }

  /** Run one request with bounded, jittered retries; the last error names the key and the status. */
  private async send<R>(op: string, key: string, call: (signal?: AbortSignal) => Promise<R>, options: StoreOptions): Promise<R> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(options.signal);
      } catch (e) {
        if (options.signal?.aborted) throw new StoreError(this.where(key), `${op} aborted`, { cause: e, code: "aborted" });
        const spent = Date.now() - started;
        if (!isRetryable(e) || attempt >= this.retry.maxAttempts || spent >= this.retry.maxTotalMs) {
          const tries = attempt > 1 ? ` after ${attempt} attempts` : "";
          throw new StoreError(this.where(key), `${op} failed${tries}: ${describe(e)}`, { cause: e });
        }
        this.requests.retries++;
        await sleep(jitteredDelay(attempt - 1, this.retry.baseDelayMs, this.retry.maxDelayMs), options.signal);
      }
    }
  }

  /** Release the connections of a client this store made (a client passed in is the caller's to destroy). */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  private writable(key: string): void {
    if (this.readOnly) throw new StoreError(this.where(key), "the store is read-only", { code: "read-only" });
  }

  async get(key: string, options: GetOptions = {}): Promise<Uint8Array | undefined> {
    const r = options.range;
    const range = r === undefined ? undefined : "suffix" in r ? `bytes=-${r.suffix}` : `bytes=${r.offset}-${r.offset + r.length - 1}`;
    if (r !== undefined && (("suffix" in r && r.suffix === 0) || ("length" in r && r.length === 0))) {
      return (await this.head(key, options)) === undefined ? undefined : new Uint8Array(0);
    }
    try {
      return await this.send("GET", key, async (signal) => {
        this.requests.get++;
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key), Range: range }), abortable(signal));
        return out.Body === undefined ? new Uint8Array(0) : await out.Body.transformToByteArray();
      }, options);
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause ?? e;
      if (status(cause) === 404 || errName(cause) === "NoSuchKey") return undefined;
      // A range past the end of an empty object.
      if (status(cause) === 416) return new Uint8Array(0);
      throw e;
    }
  }

  /** The ETag of `key`, or undefined when it does not exist. */
  private async head(key: string, options: StoreOptions): Promise<string | undefined> {
    try {
      return await this.send("HEAD", key, async (signal) => {
        this.requests.head++;
        const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) }), abortable(signal));
        return out.ETag ?? "";
      }, options);
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause ?? e;
      if (status(cause) === 404 || errName(cause) === "NotFound" || errName(cause) === "NoSuchKey") return undefined;
      throw e;
    }
  }

  async getVersioned(key: string, options: StoreOptions = {}): Promise<VersionedValue | undefined> {
    try {
      return await this.send("GET", key, async (signal) => {
        this.requests.get++;
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) }), abortable(signal));
        const data = out.Body === undefined ? new Uint8Array(0) : await out.Body.transformToByteArray();
        return { data, version: normalizeEtag(out.ETag ?? "") };
      }, options);
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause ?? e;
      if (status(cause) === 404 || errName(cause) === "NoSuchKey") return undefined;
      throw e;
    }
  }

  async set(key: string, value: Uint8Array, options: StoreOptions = {}): Promise<void> {
    this.writable(key);
    if (!this.conditionalSets) {
      await this.put(key, value, {}, options);
      return;
    }
    // `conditionalSets`: a compare-and-swap on whatever is there now, until one lands.
    for (let round = 0; round < CONDITIONAL_SET_ROUNDS; round++) {
      const etag = await this.head(key, options);
      if ((await this.setIfVersion(key, value, etag === undefined ? null : normalizeEtag(etag), options)) !== undefined) return;
      await sleep(jitteredDelay(round, 4, 500), options.signal);
    }
    throw new StoreError(this.where(key), `PUT gave up after ${CONDITIONAL_SET_ROUNDS} conditional attempts: other writers kept changing the key`);
  }

  private put(key: string, value: Uint8Array, conditions: { IfMatch?: string; IfNoneMatch?: string }, options: StoreOptions, onRetry?: () => void): Promise<string> {
    let tries = 0;
    return this.send("PUT", key, async (signal) => {
      if (tries++ > 0) onRetry?.();
      this.requests.put++;
      const out = await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.full(key), Body: value, ContentLength: value.byteLength, ...conditions }), abortable(signal));
      return normalizeEtag(out.ETag ?? "");
    }, options);
  }

  async setIfVersion(key: string, value: Uint8Array, expected: string | null, options: StoreOptions = {}): Promise<string | undefined> {
    this.writable(key);
    let retried = false;
    const attempt = async (quote: boolean): Promise<string | "refused"> => {
      const conditions = expected === null ? { IfNoneMatch: "*" } : { IfMatch: quote ? `"${expected}"` : expected };
      try {
        return await this.put(key, value, conditions, options, () => (retried = true));
      } catch (e) {
        const cause = (e as { cause?: unknown }).cause ?? e;
        const s = status(cause);
        if (s === 501 || errName(cause) === "NotImplemented") {
          if (!this.unsafe) {
            throw new StoreError(this.where(key), "this S3 server does not support conditional writes (HTTP 501), so concurrent writers could lose updates; pass unsafeConcurrentWrites: true to write unconditionally with a single writer", { cause: e });
          }
          return this.put(key, value, {}, options);
        }
        if (s === 412 || s === 409 || errName(cause) === "PreconditionFailed" || errName(cause) === "ConditionalRequestConflict") return "refused";
        throw e;
      }
    };
    let quote = this.quoteEtags ?? true;
    for (let round = 0; round < 2; round++) {
      retried = false;
      const result = await attempt(quote);
      if (result !== "refused") {
        if (expected !== null) this.quoteEtags ??= quote;
        return result;
      }
      // Refused: a real conflict, our own earlier try that did land (a retried request), or the
      // server wanting the ETag quoted the other way. Look at what is there now to tell.
      const now = await this.getVersioned(key, options);
      if (retried && now !== undefined && equalBytes(now.data, value)) {
        if (expected !== null) this.quoteEtags ??= quote;
        return now.version;
      }
      if (round === 0 && expected !== null && now !== undefined && now.version === expected && this.quoteEtags === undefined) {
        quote = !quote;
        continue;
      }
      return undefined;
    }
    return undefined;
  }

  async delete(key: string, options: StoreOptions = {}): Promise<void> {
    this.writable(key);
    await this.send("DELETE", key, async (signal) => {
      this.requests.delete++;
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) }), abortable(signal));
    }, options);
  }

  async *list(prefix: string, options: StoreOptions = {}): AsyncIterable<string> {
    const base = this.prefix === "" ? "" : `${this.prefix}/`;
    let token: string | undefined;
    do {
      const page = await this.send("LIST", prefix, async (signal) => {
        this.requests.list++;
        return this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base + prefix, ContinuationToken: token }), abortable(signal));
      }, options);
      for (const o of page.Contents ?? []) if (o.Key !== undefined) yield o.Key.slice(base.length);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async listDir(prefix: string, options: StoreOptions = {}): Promise<DirListing> {
    const dir = this.full(prefix);
    const base = dir === "" ? "" : `${dir}/`;
    const keys: string[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.send("LIST", prefix, async (signal) => {
        this.requests.list++;
        return this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, Delimiter: "/", ContinuationToken: token }), abortable(signal));
      }, options);
      for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key.slice(base.length));
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) prefixes.push(p.Prefix.slice(base.length).replace(/\/$/, ""));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return { keys: keys.sort(), prefixes: prefixes.sort() };
  }

  /** Remove every key under the folder `prefix` ("" for the store's whole prefix), in batches of at most 1000. */
  async deleteDir(prefix: string, options: StoreOptions = {}): Promise<void> {
    this.writable(prefix);
    const folder = prefix === "" ? "" : `${prefix}/`;
    const keys: string[] = [];
    for await (const k of this.list(folder, options)) keys.push(k);
    // zarr.json files first, so a half-deleted node no longer looks like a node.
    keys.sort((a, b) => Number(b.endsWith("zarr.json")) - Number(a.endsWith("zarr.json")));
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await this.send("DELETE", prefix, async (signal) => {
        this.requests.delete++;
        return this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((k) => ({ Key: this.full(k) })), Quiet: true } }), abortable(signal));
      }, options);
      const failed = (out.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
      if (failed.length > 0) throw new StoreError(this.where(failed[0]!.Key ?? prefix), `delete failed for ${failed.length} keys: ${failed[0]!.Code} ${failed[0]!.Message ?? ""}`);
    }
  }

  /** True when any key exists at exactly `key` or under the folder `key/`. */
  async existsAt(key: string, options: StoreOptions = {}): Promise<boolean> {
    const folder = this.full(key);
    const page = await this.send("LIST", key, async (signal) => {
      this.requests.list++;
      return this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: folder === "" ? "" : `${folder}/`, MaxKeys: 1 }), abortable(signal));
    }, options);
    if ((page.Contents ?? []).length > 0) return true;
    return key === "" && this.prefix === "" ? false : (await this.head(key, options)) !== undefined;
  }
}

/** ETags without quotes (servers differ in whether they send them). */
function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"|"$/g, "");
}
