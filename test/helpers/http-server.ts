/**
 * A static HTTP server on 127.0.0.1 for the HTTP store's tests, serving the
 * keys of a folder (as a FileSystemStore wrote them) at `<mount>/<key>`:
 *
 * - Range requests (`bytes=a-b`, `bytes=a-`, suffix `bytes=-n`; 416 past the
 *   end), or, with `refuseRange`, 200 and the whole body whatever was asked;
 * - a missing key answers `missingStatus` (404, or 403 as S3 public buckets);
 * - `failNext(n, kind)`: the next n requests get a 503, a dropped connection,
 *   or a body cut off after its headers promised more;
 * - `listing`: S3-style ListObjectsV2 (`?list-type=2`, prefix, delimiter,
 *   max-keys, continuation tokens) at `<mount>` (or "/" without a mount);
 * - `requireHeader`: requests without that header and value get 401;
 * - `delayMs`: every answer waits that long (for abort tests);
 * - `contentTypes`: a Content-Type from the key's extension (.js, .mjs, .html,
 *   .json, .wasm), so a browser runs the files it serves as modules;
 * - `onPost`: POST requests are handed the URL path and body and answered 204
 *   (a page running in a browser reports its result this way).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { FileSystemStore } from "../../src/stores/fs.js";
import { collectKeys } from "../../src/stores/store.js";

export type Fault = "503" | "drop" | "cut";

export interface StaticServerOptions {
  /** URL path the keys are under: "" (keys at "/<key>", a virtual-hosted bucket) or "/bucket" (path-style). */
  mount?: string;
  refuseRange?: boolean;
  missingStatus?: 403 | 404;
  listing?: boolean;
  /** Largest page of a listing, whatever max-keys asks (to test continuation tokens). */
  pageSize?: number;
  requireHeader?: readonly [string, string];
  delayMs?: number;
  contentTypes?: boolean;
  onPost?: (path: string, body: Uint8Array) => void;
}

/** Content-Type by file extension, for `contentTypes`. */
const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  html: "text/html; charset=utf-8",
  json: "application/json",
  wasm: "application/wasm",
};

export interface RequestRecord {
  readonly method: string;
  readonly url: string;
  readonly range: string | undefined;
  readonly status: number | "dropped" | "cut";
}

export class StaticServer {
  readonly requests: RequestRecord[] = [];
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly store: FileSystemStore;

  private constructor(private readonly server: Server, readonly root: string, readonly options: StaticServerOptions) {
    this.store = new FileSystemStore(root, { readOnly: true });
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  /** Serve `root` on a free port of 127.0.0.1. */
  static async start(root: string, options: StaticServerOptions = {}): Promise<StaticServer> {
    let self: StaticServer | undefined;
    const server = createServer((req, res) => void self!.handle(req, res).catch((e: unknown) => {
      res.statusCode = 500;
      res.end(String(e));
    }));
    self = new StaticServer(server, root, options);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return self;
  }

  /** The server's origin, "http://127.0.0.1:PORT". */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The URL of a key (or folder) path: `origin + mount + "/" + path`. */
  url(path: string): string {
    return `${this.origin}${this.options.mount ?? ""}/${path}`;
  }

  /** The next `count` requests fail with `kind`. */
  failNext(count: number, kind: Fault): void {
    for (let i = 0; i < count; i++) this.faults.push(kind);
  }

  /** Forget the faults not yet served. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Let the process exit while the server still listens (a server shared by several test files). */
  unref(): void {
    this.server.unref();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(req: IncomingMessage, status: RequestRecord["status"]): void {
    this.requests.push({ method: req.method ?? "", url: req.url ?? "", range: req.headers.range, status });
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, body: Uint8Array | string = "", headers: Record<string, string> = {}): void {
    this.record(req, status);
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    res.writeHead(status, { "content-length": String(bytes.length), ...headers });
    res.end(req.method === "HEAD" ? undefined : bytes);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const o = this.options;
    if (o.delayMs !== undefined) await new Promise((r) => setTimeout(r, o.delayMs));
    const fault = this.faults.shift();
    if (fault === "503") return this.send(req, res, 503, "slow down");
    if (fault === "drop") {
      this.record(req, "dropped");
      req.socket.destroy();
      return;
    }
    if (req.method === "POST" && o.onPost !== undefined) {
      const chunks: Uint8Array[] = [];
      for await (const c of req) chunks.push(c as Uint8Array);
      o.onPost(new URL(req.url ?? "/", "http://x").pathname, Buffer.concat(chunks));
      return this.send(req, res, 204);
    }
    const [name, value] = o.requireHeader ?? [];
    if (name !== undefined && req.headers[name.toLowerCase()] !== value) return this.send(req, res, 401, "no token");
    const u = new URL(req.url ?? "/", "http://x");
    const mount = o.mount ?? "";
    if (o.listing && u.searchParams.get("list-type") === "2" && (u.pathname === (mount || "/") || u.pathname === `${mount}/`)) {
      return this.send(req, res, 200, await this.listing(u.searchParams), { "content-type": "application/xml" });
    }
    if (!u.pathname.startsWith(`${mount}/`)) return this.send(req, res, o.missingStatus ?? 404, "not here");
    const key = u.pathname.slice(mount.length + 1).split("/").map(decodeURIComponent).join("/");
    const data = key === "" || key.split("/").some((p) => p === ".." || p === ".") ? undefined : await this.store.get(key).catch(() => undefined);
    if (data === undefined) return this.send(req, res, o.missingStatus ?? 404, "no such key");
    const range = req.headers.range;
    const type = o.contentTypes ? CONTENT_TYPES[key.slice(key.lastIndexOf(".") + 1)] : undefined;
    if (range === undefined || o.refuseRange) return this.answer(req, res, fault, 200, data, type === undefined ? {} : { "content-type": type });
    const m = /^bytes=(\d*)-(\d*)$/.exec(range);
    if (m === null || (m[1] === "" && m[2] === "")) return this.send(req, res, 400, "bad range");
    const size = data.length;
    let start: number;
    let end: number;
    if (m[1] === "") {
      const n = Number(m[2]);
      if (n === 0) return this.send(req, res, 416, "", { "content-range": `bytes */${size}` });
      start = Math.max(0, size - n);
      end = size - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    }
    if (start >= size || end < start) return this.send(req, res, 416, "", { "content-range": `bytes */${size}` });
    return this.answer(req, res, fault, 206, data.subarray(start, end + 1), { "content-range": `bytes ${start}-${end}/${size}` });
  }

  /** A body, or (fault "cut") its headers and the first half of it, then the connection closed. */
  private answer(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined, status: number, body: Uint8Array, headers: Record<string, string>): void {
    if (fault !== "cut") return this.send(req, res, status, body, headers);
    this.record(req, "cut");
    res.writeHead(status, { "content-length": String(body.length + 10), ...headers });
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
  }

  /** A ListObjectsV2 answer over every key of the folder. */
  private async listing(q: URLSearchParams): Promise<string> {
    const prefix = q.get("prefix") ?? "";
    const delimiter = q.get("delimiter") ?? "";
    const max = Math.min(Number(q.get("max-keys") ?? 1000), this.options.pageSize ?? 1000);
    const after = q.get("continuation-token");
    const entries = new Map<string, "key" | "prefix">();
    for (const key of (await collectKeys(this.store.list(""))).sort()) {
      if (!key.startsWith(prefix)) continue;
      const cut = delimiter === "" ? -1 : key.indexOf(delimiter, prefix.length);
      if (cut < 0) entries.set(key, "key");
      else entries.set(key.slice(0, cut + delimiter.length), "prefix");
    }
    const all = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const from = after === null ? 0 : all.findIndex(([k]) => k > Buffer.from(after, "base64url").toString());
    const page = from < 0 ? [] : all.slice(from, from + max);
    const truncated = from >= 0 && from + max < all.length;
    const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const body = page.map(([k, kind]) => (kind === "key" ? `<Contents><Key>${esc(k)}</Key><Size>1</Size></Contents>` : `<CommonPrefixes><Prefix>${esc(k)}</Prefix></CommonPrefixes>`)).join("");
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)![0]).toString("base64url")}</NextContinuationToken>` : "";
    return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>test</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${body}</ListBucketResult>`;
  }
}
