/**
 * A read-only store on any HTTP(S) server, built on `fetch` alone (web
 * platform: every runtime). `RatZarr.open("https://host/path/rat.zarr")`
 * makes one.
 *
 * - Byte ranges are HTTP Range requests (`bytes=a-b`, suffix `bytes=-n`); a
 *   server that ignores Range and answers 200 with the whole body is sliced.
 * - A missing key is a 404, 410, or 403 (S3 public buckets answer 403 for a
 *   key that is not there).
 * - 408, 429, 5xx (but 501), timeouts, network failures and bodies cut short
 *   are retried with backoff and full jitter, bounded in tries and time; the
 *   final error names the URL (never its query string), the status and the tries.
 * - Listing needs an S3-style ListObjectsV2 (`?list-type=2`). Where it is
 *   asked is found once (the URL's origin, then its first path segment) and
 *   remembered; a server that has none cannot list, and says so.
 *
 * Why one file of ~360 lines: one HTTP adapter (ranges, retries, listing
 * discovery); the listing parser is in s3-listing.ts.
 */
import { type ListingPage, parseListing } from "./s3-listing.js";
import type { ByteRange, DirListing, GetOptions, Store, StoreOptions } from "./store.js";
import { sliceRange } from "./memory.js";
import { RatZarrError, showValue, StoreError } from "../errors.js";
import { jitteredDelay, sleep } from "../retry.js";
import type { S3RetryOptions } from "./s3-options.js";

/** Retry bounds of an HTTP store: the same fields and defaults as S3's (8 tries, 50 ms doubling to 4 s, 60 s in all). */
export type HttpRetryOptions = S3RetryOptions;

/** The `fetch` an HTTP store calls: `globalThis.fetch`, or a wrapper that adds headers or signs requests. */
export type HttpFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface HttpStoreOptions {
  /** The fetch to use (default `globalThis.fetch`); it gets the URL and an init with method, headers and signal. */
  readonly fetch?: HttpFetch;
  /** Headers sent with every request (the store's own `Range` header is added to them). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly retry?: HttpRetryOptions;
  /** A try that has not finished after this many ms fails, and is retried (default 60000). */
  readonly timeoutMs?: number;
  /** Chunk requests worth having in flight at once (default 8). */
  readonly concurrency?: number;
  /**
   * Where an S3-style listing (`?list-type=2&prefix=…&delimiter=/`) is asked: the bucket's root URL,
   * which the store's URL must start with; `false`: the server cannot list. Default: found on the
   * first listing by asking the URL's origin (virtual-hosted buckets), then its first path segment
   * (path-style buckets), and remembered.
   */
  readonly listUrl?: string | false;
}

/** An S3-style listing endpoint: the bucket's root URL and the key prefix of the store's root in it ("" or ending in "/"). */
interface ListRoot {
  readonly url: string;
  readonly prefix: string;
}

const DEFAULT_RETRY: Required<HttpRetryOptions> = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 4000, maxTotalMs: 60000 };

/** A status that says "try again": a timeout, throttling, a server error (501 says it never will). */
const retryableStatus = (s: number): boolean => s === 408 || s === 429 || (s >= 500 && s !== 501);

/** Why one try failed (a status, a network error, a body cut short), and whether another try may do better. */
class TryFailure {
  constructor(readonly retryable: boolean, readonly text: string, readonly cause?: unknown) {}
}

/** A read-only `Store` on an HTTP(S) URL: the keys are paths under it. */
export { parseListing } from "./s3-listing.js";

export class HttpStore implements Store {
  /** The store's root URL, without query string and trailing "/" (for messages; credentials never appear). */
  readonly url: string;
  readonly readOnly = true;
  readonly preferredConcurrency: number;
  /** Requests sent, by kind (for tests and benchmarks). */
  readonly requests = { get: 0, list: 0, retries: 0 };
  private readonly base: URL;
  private readonly fetch: HttpFetch;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly retry: Required<HttpRetryOptions>;
  private readonly timeoutMs: number;
  private readonly listUrl: string | false | undefined;
  /** Where listings go, once found (null: this server cannot list); a failed search is not kept. */
  private listRoot: Promise<ListRoot | null> | undefined;

  constructor(url: string, options: HttpStoreOptions = {}) {
    let base: URL;
    try {
      base = new URL(url);
    } catch (e) {
      throw new RatZarrError(`"${url}" is not a URL`, { cause: e });
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new RatZarrError(`"${url}" is not an http:// or https:// URL`);
    if (base.username !== "" || base.password !== "") throw new RatZarrError(`"${base.origin}${base.pathname}": credentials in the URL are not sent; pass them as headers (options.headers or options.fetch)`);
    base.hash = "";
    base.pathname = base.pathname.replace(/\/+$/, "");
    this.base = base;
    this.url = `${base.origin}${base.pathname}`;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new RatZarrError(`HTTP store "${this.url}": this runtime has no fetch; pass options.fetch`);
    this.fetch = options.fetch ?? ((u, init) => globalThis.fetch(u, init));
    this.headers = options.headers ?? {};
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 60000;
    this.preferredConcurrency = options.concurrency ?? 8;
    this.listUrl = options.listUrl;
    const counts: [string, number, number][] = [["concurrency", this.preferredConcurrency, 1], ["timeoutMs", this.timeoutMs, 1], ["retry.maxAttempts", this.retry.maxAttempts, 1], ["retry.baseDelayMs", this.retry.baseDelayMs, 0], ["retry.maxDelayMs", this.retry.maxDelayMs, 0], ["retry.maxTotalMs", this.retry.maxTotalMs, 0]];
    for (const [name, v, min] of counts) {
      if (!Number.isSafeInteger(v) || v < min) throw new RatZarrError(`HTTP store "${this.url}": ${name} must be an integer >= ${min}, got ${showValue(v)}`);
    }
    // A listUrl that is not a prefix of the URL is refused now, not at the first listing.
    if (typeof this.listUrl === "string") this.candidates();
  }

  /** The URL of `key` (each path segment percent-encoded; the root URL's query string kept, for tokens that go with every request). */
  keyUrl(key: string): string {
    const path = key === "" ? "" : `/${key.split("/").map(encodeURIComponent).join("/")}`;
    return `${this.base.origin}${this.base.pathname}${path}${this.base.search}`;
  }

  /** `key`'s URL as messages show it: no query string. */
  private where(key: string): string {
    return key === "" ? this.url : `${this.url}/${key}`;
  }

  /**
   * One GET with bounded, jittered retries. `accept` turns a response into a result, or
   * into a `TryFailure` to retry (or not); the last failure becomes a StoreError naming
   * the URL, the status and the number of tries.
   */
  private async send<R>(what: string, url: string, shown: string, headers: Record<string, string>, options: StoreOptions, accept: (res: Response) => Promise<R | TryFailure>, maxAttempts = this.retry.maxAttempts): Promise<R> {
    const started = Date.now();
    const signal = options.signal;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new StoreError(shown, `${what} aborted`, { cause: signal.reason, code: "aborted" });
      // One controller per try: the caller's signal, or this try's timeout, stops it (body included).
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      let failure: TryFailure;
      try {
        if (what === "LIST") this.requests.list++;
        else this.requests.get++;
        const res = await this.fetch(url, { method: "GET", headers: { ...this.headers, ...headers }, signal: controller.signal });
        const out = await accept(res);
        if (!(out instanceof TryFailure)) return out;
        failure = out;
      } catch (e) {
        if (signal?.aborted) throw new StoreError(shown, `${what} aborted`, { cause: e, code: "aborted" });
        const reason = controller.signal.aborted ? (controller.signal.reason as Error).message : describeNetworkError(e);
        failure = new TryFailure(true, reason, e);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }
      if (signal?.aborted) throw new StoreError(shown, `${what} aborted`, { cause: signal.reason, code: "aborted" });
      if (!failure.retryable || attempt >= maxAttempts || Date.now() - started >= this.retry.maxTotalMs) {
        throw new StoreError(shown, `${what} ${shown} failed after ${attempt} ${attempt === 1 ? "try" : "tries"}: ${failure.text}`, { cause: failure.cause });
      }
      this.requests.retries++;
      try {
        await sleep(jitteredDelay(attempt - 1, this.retry.baseDelayMs, this.retry.maxDelayMs), signal);
      } catch (e) {
        throw new StoreError(shown, `${what} aborted`, { cause: e, code: "aborted" });
      }
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<Uint8Array | undefined> {
    const r = options.range;
    // An empty range cannot be asked for (`bytes=-0` is not valid): ask for one byte to learn whether the key exists.
    const empty = r !== undefined && ("suffix" in r ? r.suffix === 0 : r.length === 0);
    const header = r === undefined ? undefined : empty ? "bytes=0-0" : rangeHeader(r);
    const shown = this.where(key);
    return this.send<Uint8Array | undefined>("GET", this.keyUrl(key), shown, header === undefined ? {} : { Range: header }, options, async (res) => {
      if (res.status === 404 || res.status === 410 || res.status === 403) return discard(res, undefined);
      // A range past the end (or any range of an empty object).
      if (res.status === 416) return discard(res, new Uint8Array(0));
      if (res.status !== 200 && res.status !== 206) return discard(res, new TryFailure(retryableStatus(res.status), statusText(res)));
      const bytes = await readBody(res);
      if (bytes instanceof TryFailure) return bytes;
      if (r === undefined) return res.status === 206 ? new TryFailure(false, "HTTP 206 to a request without a Range header") : bytes;
      if (empty) return new Uint8Array(0);
      // 200: the server ignored Range and sent everything.
      return res.status === 200 ? sliceRange(bytes, r) : partial(bytes, r, res.headers.get("content-range"));
    });
  }

  /** Refused: an HTTP store is read-only. */
  async set(key: string, _value: Uint8Array, _options?: StoreOptions): Promise<void> {
    throw this.readOnlyError(key);
  }

  /** Refused: an HTTP store is read-only. */
  async delete(key: string, _options?: StoreOptions): Promise<void> {
    throw this.readOnlyError(key);
  }

  /** Refused at once (so that removing a folder does not list it first). */
  async deleteDir(prefix: string, _options?: StoreOptions): Promise<void> {
    throw this.readOnlyError(prefix);
  }

  private readOnlyError(key: string): StoreError {
    return new StoreError(this.where(key), "an HTTP store is read-only", { code: "read-only" });
  }

  async *list(prefix: string, options: StoreOptions = {}): AsyncIterable<string> {
    const root = await this.listing(prefix, options);
    let token: string | undefined;
    do {
      const page = await this.page(root, root.prefix + prefix, false, token, prefix, options);
      for (const k of page.keys) yield k;
      token = page.next;
    } while (token !== undefined);
  }

  async listDir(prefix: string, options: StoreOptions = {}): Promise<DirListing> {
    const root = await this.listing(prefix, options);
    const folder = prefix === "" ? "" : `${prefix}/`;
    const keys: string[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.page(root, root.prefix + folder, true, token, prefix, options);
      for (const k of page.keys) keys.push(k.slice(folder.length));
      for (const p of page.prefixes) prefixes.push(p.slice(folder.length).replace(/\/$/, ""));
      token = page.next;
    } while (token !== undefined);
    return { keys: keys.sort(), prefixes: prefixes.sort() };
  }

  /** True when this server answers S3-style listings (found out once, then remembered). */
  async canList(options: StoreOptions = {}): Promise<boolean> {
    if (this.listRoot === undefined) {
      const found = this.findListRoot(options);
      this.listRoot = found;
      // A search that failed (network, aborted) is not remembered: the next call searches again.
      found.catch(() => {
        if (this.listRoot === found) this.listRoot = undefined;
      });
    }
    return (await this.listRoot) !== null;
  }

  private async listing(prefix: string, options: StoreOptions): Promise<ListRoot> {
    if (!(await this.canList(options))) {
      const asked = this.listUrl === false ? "listing is off (listUrl: false)" : `no S3-style listing (?list-type=2) answered at ${this.candidates().map((c) => c.url).join(" or ")}`;
      throw new StoreError(this.where(prefix), `this HTTP server cannot list (${asked}); pass column names (RatZarr.open(url, { columns: [...] }))`);
    }
    return (await this.listRoot)!;
  }

  /** Where an S3-style listing could be: the `listUrl` option, or the origin and the first path segment. */
  private candidates(): ListRoot[] {
    const path = this.base.pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
    if (typeof this.listUrl === "string") {
      const root = this.listUrl.replace(/[?#].*$/, "").replace(/\/+$/, "");
      if (!`${this.url}/`.startsWith(`${root}/`)) throw new RatZarrError(`HTTP store "${this.url}": listUrl "${root}" is not a prefix of the store's URL`);
      const rest = this.url.slice(root.length).split("/").filter((s) => s !== "").map(decodeURIComponent);
      return [{ url: `${root}/`, prefix: rest.length === 0 ? "" : `${rest.join("/")}/` }];
    }
    const out: ListRoot[] = [{ url: `${this.base.origin}/`, prefix: path.length === 0 ? "" : `${path.join("/")}/` }];
    if (path.length > 0) out.push({ url: `${this.base.origin}/${encodeURIComponent(path[0]!)}`, prefix: path.length === 1 ? "" : `${path.slice(1).join("/")}/` });
    return out;
  }

  private async findListRoot(options: StoreOptions): Promise<ListRoot | null> {
    if (this.listUrl === false) return null;
    const candidates = this.candidates();
    let failed: unknown;
    for (const [i, c] of candidates.entries()) {
      const url = `${c.url}?list-type=2&max-keys=1&delimiter=%2F&prefix=${encodeURIComponent(c.prefix)}`;
      let ok: boolean;
      try {
        ok = await this.send<boolean>("LIST", url, c.url, {}, options, async (res) => {
          if (retryableStatus(res.status)) return discard(res, new TryFailure(true, statusText(res)));
          if (res.status !== 200) return discard(res, false);
          const body = await readBody(res);
          if (body instanceof TryFailure) return body;
          return new TextDecoder().decode(body).includes("<ListBucketResult");
        }, i < candidates.length - 1 ? 1 : undefined);
      } catch (e) {
        // A browser reports a request that CORS refuses as a network error: an S3-compatible
        // server whose buckets allow CORS usually does not allow it at its root. Try the next
        // candidate once; an error remains an error (not "cannot list") only if none answers.
        if (e instanceof StoreError && e.code === "aborted") throw e;
        failed = e;
        continue;
      }
      if (ok) return c;
    }
    if (failed !== undefined) throw failed;
    return null;
  }

  /** One page of an S3-style listing; keys and prefixes relative to the store's root. */
  private async page(root: ListRoot, prefix: string, delimited: boolean, token: string | undefined, shownKey: string, options: StoreOptions): Promise<ListingPage> {
    const query = `list-type=2${delimited ? "&delimiter=%2F" : ""}&prefix=${encodeURIComponent(prefix)}${token === undefined ? "" : `&continuation-token=${encodeURIComponent(token)}`}`;
    const shown = this.where(shownKey);
    const xml = await this.send<string>("LIST", `${root.url}?${query}`, shown, {}, options, async (res) => {
      if (res.status !== 200) return discard(res, new TryFailure(retryableStatus(res.status), statusText(res)));
      const body = await readBody(res);
      return body instanceof TryFailure ? body : new TextDecoder().decode(body);
    });
    const page = parseListing(xml, shown);
    const strip = (k: string) => (k.startsWith(root.prefix) ? k.slice(root.prefix.length) : undefined);
    const next = page.next;
    if (next !== undefined && next === token) throw new StoreError(shown, `LIST ${shown}: the server sent the same continuation token twice`);
    return { keys: page.keys.map(strip).filter((k): k is string => k !== undefined), prefixes: page.prefixes.map(strip).filter((k): k is string => k !== undefined), next };
  }
}

/** The `Range` header of a non-empty range. */
function rangeHeader(r: ByteRange): string {
  return "suffix" in r ? `bytes=-${r.suffix}` : `bytes=${r.offset}-${r.offset + r.length - 1}`;
}

/** The bytes of a 206 answer that belong to `r`: servers may send a wider range than asked. */
function partial(bytes: Uint8Array, r: ByteRange, contentRange: string | null): Uint8Array | TryFailure {
  if ("suffix" in r) return bytes.length > r.suffix ? bytes.subarray(bytes.length - r.suffix) : bytes;
  // Browsers hide Content-Range unless the server exposes it: then the body is taken as asked.
  const m = contentRange === null ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange.trim());
  const start = m === null ? r.offset : Number(m[1]);
  if (start > r.offset) return new TryFailure(false, `HTTP 206 for bytes from ${start}, asked from ${r.offset}`);
  return bytes.subarray(r.offset - start, r.offset - start + r.length);
}

/** The whole body, or a retryable failure when the connection drops or the body is shorter than announced. */
async function readBody(res: Response): Promise<Uint8Array | TryFailure> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if ((e as { name?: unknown })?.name === "AbortError") throw e;
    return new TryFailure(true, `body cut off: ${describeNetworkError(e)}`, e);
  }
  // With a content encoding the length is that of the encoded body, which fetch has already decoded.
  const length = res.headers.get("content-length");
  const encoded = (res.headers.get("content-encoding") ?? "identity") !== "identity";
  if (length !== null && !encoded && /^\d+$/.test(length) && Number(length) !== bytes.length) {
    return new TryFailure(true, `body cut off: ${bytes.length} of ${length} bytes`);
  }
  return bytes;
}

/** Drop a response body we do not read (so its connection can be reused), then give `value`. */
async function discard<T>(res: Response, value: T): Promise<T> {
  await res.body?.cancel().catch(() => undefined);
  return value;
}

function statusText(res: Response): string {
  return `HTTP ${res.status}${res.statusText === "" ? "" : ` ${res.statusText}`}`;
}

/** A network error as one line: fetch's "fetch failed" says little, its cause says what. */
function describeNetworkError(e: unknown): string {
  const msg = (x: unknown) => (x instanceof Error ? x.message : String(x));
  const cause = (e as { cause?: unknown })?.cause;
  const code = (cause as { code?: unknown })?.code;
  return `network error: ${msg(e)}${cause === undefined ? "" : ` (${typeof code === "string" ? `${code}: ` : ""}${msg(cause)})`}`;
}
