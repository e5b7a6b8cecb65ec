/** HttpStore against a static server on 127.0.0.1 (test/helpers/http-server.ts) serving folders a FileSystemStore wrote. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpStore, type HttpStoreOptions, parseListing } from "../../src/stores/http.js";
import { FileSystemStore } from "../../src/stores/fs.js";
import { collectKeys, type GetOptions, type Store, type StoreOptions } from "../../src/stores/store.js";
import { RatZarrError, StoreError } from "../../src/errors.js";
import { StaticServer, type StaticServerOptions } from "../helpers/http-server.js";
import { storeContract } from "./store-contract.js";

const dirs: string[] = [];
const servers: StaticServer[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "ratzarr-http-"));
  dirs.push(d);
  return d;
};
const serve = async (root: string, options: StaticServerOptions = {}) => {
  const s = await StaticServer.start(root, options);
  servers.push(s);
  return s;
};
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const fast = (o: HttpStoreOptions = {}): HttpStoreOptions => ({ ...o, retry: { baseDelayMs: 1, maxDelayMs: 5, ...o.retry } });

async function rejects(fn: () => Promise<unknown>, code: string, ...patterns: RegExp[]): Promise<StoreError> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    assert.is(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return e;
  }
  throw new assert.Assertion({ message: `expected a StoreError (${code})`, operator: "rejects", expects: code, actual: "no error", generated: false });
}

/** A folder with keys written by a FileSystemStore, its server, and an HttpStore on it. */
async function fixture(keys: Record<string, string>, server: StaticServerOptions = {}, store: HttpStoreOptions = {}, path = "data") {
  const root = fresh();
  const fs = new FileSystemStore(join(root, path));
  for (const [k, v] of Object.entries(keys)) await fs.set(k, bytes(v));
  const srv = await serve(root, server);
  return { root, fs, srv, http: new HttpStore(srv.url(path), fast(store)) };
}

/**
 * The store contract over HTTP: writes go to the served folder through a FileSystemStore,
 * everything read (get, ranges, list, listDir, aborts) goes through the HttpStore. The
 * conditional-write methods are the folder's (an HTTP store has none).
 */
const contract = suite("HttpStore: the store contract, read through HTTP");
let contractServer: StaticServer | undefined;
const contractRoot = fresh();
let contractCount = 0;
storeContract(contract, async () => {
  contractServer ??= await serve(contractRoot, { listing: true, pageSize: 3 });
  const folder = `t${contractCount++}`;
  const fs = new FileSystemStore(join(contractRoot, folder));
  const http = new HttpStore(contractServer.url(folder), fast());
  const store: Store = {
    get: (key: string, o?: GetOptions) => http.get(key, o),
    list: (prefix: string, o?: StoreOptions) => http.list(prefix, o),
    listDir: (prefix: string, o?: StoreOptions) => http.listDir(prefix, o),
    set: (key, value, o) => fs.set(key, value, o),
    delete: (key, o) => fs.delete(key, o),
    getVersioned: (key, o) => fs.getVersioned(key, o),
    setIfVersion: (key, value, expected, o) => fs.setIfVersion(key, value, expected, o),
    deleteIfVersion: (key, expected, o) => fs.deleteIfVersion(key, expected, o),
  };
  return store;
});
contract.run();

const t = suite("HttpStore");

t("gets, ranges and suffix ranges with Range requests", async () => {
  const { http, srv } = await fixture({ k: "0123456789", "a b/é": "unicode path", e: "" });
  assert.is(text(await http.get("k")), "0123456789");
  assert.is(text(await http.get("k", { range: { offset: 2, length: 3 } })), "234");
  assert.is(text(await http.get("k", { range: { suffix: 4 } })), "6789");
  assert.is(text(await http.get("k", { range: { suffix: 40 } })), "0123456789");
  assert.is(text(await http.get("k", { range: { offset: 8, length: 10 } })), "89");
  assert.equal(await http.get("k", { range: { offset: 20, length: 2 } }), new Uint8Array(0), "past the end: 416, empty");
  assert.equal(await http.get("k", { range: { offset: 3, length: 0 } }), new Uint8Array(0));
  assert.equal(await http.get("k", { range: { suffix: 0 } }), new Uint8Array(0));
  assert.is(await http.get("nope", { range: { suffix: 0 } }), undefined);
  assert.equal(await http.get("e"), new Uint8Array(0));
  assert.is(text(await http.get("a b/é")), "unicode path");
  const ranges = srv.requests.map((r) => r.range).filter((r) => r !== undefined);
  assert.ok(ranges.includes("bytes=2-4") && ranges.includes("bytes=-4"), ranges.join(", "));
  assert.ok(srv.requests.filter((r) => r.range !== undefined).every((r) => r.status === 206 || r.status === 416 || r.status === 404));
});

t("a server that ignores Range: the whole body (200) is sliced", async () => {
  const { http, srv } = await fixture({ k: "0123456789" }, { refuseRange: true });
  assert.is(text(await http.get("k", { range: { offset: 2, length: 3 } })), "234");
  assert.is(text(await http.get("k", { range: { suffix: 4 } })), "6789");
  assert.is(text(await http.get("k", { range: { offset: 8, length: 10 } })), "89");
  assert.equal(await http.get("k", { range: { offset: 20, length: 2 } }), new Uint8Array(0));
  assert.ok(srv.requests.every((r) => r.status === 200));
});

t("a missing key: 404, and 403 as S3 public buckets answer it", async () => {
  for (const missingStatus of [404, 403] as const) {
    const { http, srv } = await fixture({ k: "x" }, { missingStatus });
    assert.is(await http.get("nope"), undefined);
    assert.is(await http.get("a/b/zarr.json", { range: { offset: 0, length: 1 } }), undefined);
    assert.is(http.requests.retries, 0);
    assert.ok(srv.requests.every((r) => r.status === missingStatus || r.status === 200));
  }
});

t("503s, dropped connections and bodies cut off are retried", async () => {
  const { http, srv } = await fixture({ k: "0123456789" });
  for (const kind of ["503", "drop", "cut"] as const) {
    srv.failNext(2, kind);
    assert.is(text(await http.get("k")), "0123456789", kind);
    srv.failNext(2, kind);
    assert.is(text(await http.get("k", { range: { offset: 1, length: 2 } })), "12", kind);
  }
  assert.is(http.requests.retries, 12);
  assert.is(srv.requests.filter((r) => r.status === "cut").length, 4);
});

t("retries run out: a StoreError naming the URL, the status and the tries", async () => {
  const { http, srv } = await fixture({ k: "x" }, {}, { retry: { maxAttempts: 3 } });
  srv.failNext(10, "503");
  const e = await rejects(() => http.get("k"), "store", /GET http:\/\/127\.0\.0\.1:\d+\/data\/k/, /HTTP 503/, /after 3 tries/);
  assert.is(e.key, `${srv.url("data")}/k`);
  srv.clearFaults();
  srv.failNext(10, "drop");
  await rejects(() => http.get("k"), "store", /after 3 tries/, /network error/);
  srv.clearFaults();
  // Bounded in time too: one try, then the budget is spent.
  const slow = new HttpStore(srv.url("data"), { retry: { maxAttempts: 100, baseDelayMs: 30, maxDelayMs: 30, maxTotalMs: 1 } });
  srv.failNext(10, "503");
  await rejects(() => slow.get("k"), "store", /after [12] tr(y|ies)/);
  srv.clearFaults();
});

t("a status that retrying cannot fix fails at once", async () => {
  const { http } = await fixture({ k: "x" }, { requireHeader: ["x-token", "s3cret"] });
  await rejects(() => http.get("k"), "store", /HTTP 401/, /after 1 try\b/);
  assert.is(http.requests.retries, 0);
});

t("a try with no answer times out and is retried", async () => {
  const { http } = await fixture({ k: "x" }, { delayMs: 300 }, { timeoutMs: 40, retry: { maxAttempts: 2 } });
  await rejects(() => http.get("k"), "store", /no answer within 40 ms/, /after 2 tries/);
});

t("the caller's AbortSignal stops a request, a backoff, and a listing", async () => {
  const slow = await fixture({ k: "x" }, { delayMs: 500, listing: true });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 30);
  const started = Date.now();
  await rejects(() => slow.http.get("k", { signal: ac.signal }), "aborted", /aborted/);
  assert.ok(Date.now() - started < 400, "aborted before the answer came");
  const gone = new AbortController();
  gone.abort();
  await rejects(() => collectKeys(slow.http.list("", { signal: gone.signal })), "aborted");
  await rejects(() => slow.http.listDir("", { signal: gone.signal }), "aborted");
  const { http, srv } = await fixture({ k: "x" }, {}, { retry: { maxAttempts: 50, baseDelayMs: 10000, maxDelayMs: 10000 } });
  srv.failNext(50, "503");
  const backoff = new AbortController();
  setTimeout(() => backoff.abort(), 50);
  const t0 = Date.now();
  await rejects(() => http.get("k", { signal: backoff.signal }), "aborted");
  assert.ok(Date.now() - t0 < 2000);
  srv.clearFaults();
});

t("a custom fetch adds a header the server checks; so does the headers option", async () => {
  const { srv } = await fixture({ k: "secret bytes" }, { requireHeader: ["x-token", "s3cret"] });
  const seen: string[] = [];
  const fetch = (url: string, init: RequestInit) => {
    seen.push(url);
    return globalThis.fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), "x-token": "s3cret" } });
  };
  const signed = new HttpStore(srv.url("data"), { fetch });
  assert.is(text(await signed.get("k")), "secret bytes");
  assert.is(text(await signed.get("k", { range: { suffix: 5 } })), "bytes");
  assert.equal(seen, [`${srv.url("data")}/k`, `${srv.url("data")}/k`]);
  assert.is(text(await new HttpStore(srv.url("data"), { headers: { "x-token": "s3cret" } }).get("k")), "secret bytes");
  await rejects(() => new HttpStore(srv.url("data")).get("k"), "store", /HTTP 401/);
});

t("writes are refused with code read-only", async () => {
  const { http, fs } = await fixture({ k: "x" });
  assert.is(http.readOnly, true);
  assert.is(http.preferredConcurrency, 8);
  await rejects(() => http.set("k", bytes("y")), "read-only", /read-only/);
  await rejects(() => http.delete("k"), "read-only");
  await rejects(() => http.deleteDir(""), "read-only");
  assert.is(text(await fs.get("k")), "x");
});

const tree = { "zarr.json": "{}", "RAT/zarr.json": "{}", "RAT/a/zarr.json": "{}", "RAT/a/c/0": "0", "RAT/a/c/1": "1", "RAT/b/zarr.json": "{}", "RAT/c d/zarr.json": "{}", "RAT/x&y<z>/zarr.json": "{}", "other.txt": "o" };

t("S3-style listing (virtual-hosted: at the origin), paginated, same answers as the folder", async () => {
  const { http, fs, srv } = await fixture(tree, { listing: true, pageSize: 2 }, {}, "bucket-key/rat.zarr");
  assert.ok(await http.canList());
  for (const dir of ["", "RAT", "RAT/a", "RAT/a/c", "nothing"]) assert.equal(await http.listDir(dir), await fs.listDir(dir), dir);
  for (const p of ["", "RAT/", "RAT/a", "RAT/x&", "zz"]) assert.equal((await collectKeys(http.list(p))).sort(), (await collectKeys(fs.list(p))).sort(), p);
  const lists = srv.requests.filter((r) => r.url.includes("list-type=2"));
  assert.ok(lists.some((r) => r.url.includes("continuation-token=")), "paginated");
  assert.ok(lists.every((r) => r.url.startsWith("/?")), "asked at the origin");
});

t("S3-style listing (path-style: at the first path segment), found after the origin says no", async () => {
  const { http, fs, srv } = await fixture(tree, { listing: true, mount: "/bucket" }, {}, "rat.zarr");
  assert.equal(await http.listDir("RAT"), await fs.listDir("RAT"));
  assert.equal(await http.listDir("RAT"), { keys: ["zarr.json"], prefixes: ["a", "b", "c d", "x&y<z>"] });
  const lists = srv.requests.filter((r) => r.url.includes("list-type=2")).map((r) => r.url.split("?")[0]);
  assert.equal(lists.slice(0, 2), ["/", "/bucket"]);
  assert.ok(lists.slice(2).every((u) => u === "/bucket"));
  // listUrl names the bucket root: no search.
  const direct = new HttpStore(srv.url("rat.zarr"), { listUrl: `${srv.origin}/bucket` });
  assert.equal(await direct.listDir("RAT/a"), { keys: ["zarr.json"], prefixes: ["c"] });
  assert.throws(() => new HttpStore(srv.url("rat.zarr"), { listUrl: "http://elsewhere/bucket" }), (e: unknown) => e instanceof RatZarrError && /listUrl/.test((e as Error).message));
});

t("a server without a listing: a clear StoreError, found out once", async () => {
  const { http, srv } = await fixture(tree);
  assert.not.ok(await http.canList());
  const before = srv.requests.length;
  await rejects(() => http.listDir("RAT"), "store", /this HTTP server cannot list/, /columns/, /list-type=2/);
  await rejects(() => collectKeys(http.list("")), "store", /cannot list/);
  assert.is(srv.requests.length, before, "no more listing requests once it is known");
  const off = new HttpStore(srv.url("data"), { listUrl: false });
  const n = srv.requests.length;
  await rejects(() => off.listDir(""), "store", /listUrl: false/);
  assert.is(srv.requests.length, n);
});

t("a failed search for a listing is not remembered", async () => {
  const { http, srv } = await fixture(tree, { listing: true }, { retry: { maxAttempts: 1 } });
  srv.failNext(1, "503");
  await rejects(() => http.listDir(""), "store", /HTTP 503/);
  assert.equal((await http.listDir("")).prefixes, ["RAT"]);
});

t("URLs: credentials refused, other schemes refused, query strings kept for keys and hidden in errors", async () => {
  assert.throws(() => new HttpStore("http://user:pw@127.0.0.1/x"), /credentials/);
  assert.throws(() => new HttpStore("ftp://127.0.0.1/x"), /http/);
  assert.throws(() => new HttpStore("not a url"), /not a URL/);
  assert.throws(() => new HttpStore("http://h/x", { concurrency: 0 }), /concurrency must be an integer >= 1, got 0/);
  assert.throws(() => new HttpStore("http://h/x", { timeoutMs: NaN }), /timeoutMs/);
  assert.throws(() => new HttpStore("http://h/x", { retry: { maxAttempts: 1.5 } }), /retry.maxAttempts/);
  const s = new HttpStore("https://h.example/a b/rat.zarr/?sig=abc#frag");
  assert.is(s.url, "https://h.example/a%20b/rat.zarr");
  assert.is(s.keyUrl("RAT/c d/zarr.json"), "https://h.example/a%20b/rat.zarr/RAT/c%20d/zarr.json?sig=abc");
  const { srv } = await fixture({ k: "x" });
  const q = new HttpStore(`${srv.url("data")}?token=t0p`, fast({ retry: { maxAttempts: 1 } }));
  assert.is(text(await q.get("k")), "x");
  assert.ok(srv.requests.at(-1)!.url.endsWith("/data/k?token=t0p"));
  srv.failNext(1, "503");
  const e = await rejects(() => q.get("k"), "store");
  assert.not.match(e.message, "t0p");
});

t("parseListing: entities, tokens, and answers that are not listings", () => {
  const xml = `<?xml version="1.0"?><ListBucketResult xmlns="x"><Prefix>p/</Prefix><IsTruncated>true</IsTruncated><NextContinuationToken>a&amp;b</NextContinuationToken><Contents><Key>p/a&lt;b&gt;&#233;&#x1F600;</Key></Contents><CommonPrefixes><Prefix>p/q/</Prefix></CommonPrefixes></ListBucketResult>`;
  assert.equal(parseListing(xml, "u"), { keys: ["p/a<b>é😀"], prefixes: ["p/q/"], next: "a&b" });
  assert.throws(() => parseListing("<html>index</html>", "u"), /not an S3 ListBucketResult/);
  assert.throws(() => parseListing("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", "u"), /NextContinuationToken/);
});

t.after(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
t.run();
