/** RatZarr.open on http:// URLs: a RAT written to a folder, served by a static server on 127.0.0.1, read with the core (web) runtime. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RatZarr as NodeRatZarr } from "../../src/node/index.js";
import { HttpStore, NodeError, RatZarr, RatZarrError, ReadOnlyError, StoreError, type ColumnDataType } from "../../src/index.js";
import { StaticServer, type StaticServerOptions } from "../helpers/http-server.js";
import { rejects } from "./helpers.js";

const ROWS = 1000;
const CHUNK = 300;

/** Every column type, with values that use each type's range (64-bit extremes, NaN, -0, unicode, empty strings). */
function columns(): Record<string, { dtype: ColumnDataType; width?: number; values: ArrayLike<unknown> }> {
  const n = ROWS;
  const f = (i: number) => (i % 7 === 0 ? NaN : i % 11 === 0 ? -0 : i * 1.5 - 300);
  return {
    bool: { dtype: "bool", values: Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)) },
    i8: { dtype: "int8", values: Int8Array.from({ length: n }, (_, i) => (i % 256) - 128) },
    i16: { dtype: "int16", values: Int16Array.from({ length: n }, (_, i) => i * 33 - 16000) },
    i32: { dtype: "int32", values: Int32Array.from({ length: n }, (_, i) => i * 2_000_003 - 1_000_000_000) },
    i64: { dtype: "int64", values: BigInt64Array.from({ length: n }, (_, i) => (i === 0 ? -(2n ** 63n) : i === 1 ? 2n ** 63n - 1n : BigInt(i) * 10n ** 12n)) },
    u8: { dtype: "uint8", values: Uint8Array.from({ length: n }, (_, i) => i % 256) },
    u16: { dtype: "uint16", values: Uint16Array.from({ length: n }, (_, i) => i * 65) },
    u32: { dtype: "uint32", values: Uint32Array.from({ length: n }, (_, i) => i * 4_000_000) },
    u64: { dtype: "uint64", values: BigUint64Array.from({ length: n }, (_, i) => (i === 0 ? 2n ** 64n - 1n : BigInt(i) * 3n ** 30n)) },
    f32: { dtype: "float32", values: Float32Array.from({ length: n }, (_, i) => f(i)) },
    f64: { dtype: "float64", values: Float64Array.from({ length: n }, (_, i) => f(i) / 3) },
    "s name": { dtype: "string", values: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? "" : `row ${i} é 😀`)) },
    pair: { dtype: "int32", width: 2, values: Int32Array.from({ length: 2 * n }, (_, i) => i - n) },
  };
}

const dirs: string[] = [];
const servers: StaticServer[] = [];
let folder: string | undefined;

/** A folder holding `rat.zarr`, written once through the filesystem store. */
async function ratFolder(): Promise<string> {
  if (folder !== undefined) return folder;
  const d = mkdtempSync(join(tmpdir(), "ratzarr-http-rat-"));
  dirs.push(d);
  const rz = await NodeRatZarr.open(join(d, "rat.zarr"), { onWarning: () => {} });
  await rz.setChunkSize(CHUNK);
  await rz.setRowCount(ROWS);
  for (const [name, c] of Object.entries(columns())) {
    await rz.createColumn(name, c.dtype, c.width === undefined ? {} : { width: c.width });
    await rz.writeBlock(name, c.values as never, 0);
  }
  await rz.close();
  return (folder = d);
}

async function serve(options: StaticServerOptions = {}): Promise<StaticServer> {
  const s = await StaticServer.start(await ratFolder(), options);
  servers.push(s);
  return s;
}

/** Exact equality: typed arrays byte for byte (NaN payloads and -0 included), string arrays value by value. */
function same(actual: unknown, expected: unknown, what = ""): void {
  if (ArrayBuffer.isView(expected) && ArrayBuffer.isView(actual)) {
    assert.is(actual.constructor, expected.constructor, what);
    assert.equal(new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength), new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength), what);
  } else assert.equal(actual, expected, what);
}

const listed = (srv: StaticServer) => srv.requests.filter((r) => r.url.includes("list-type=2"));
const names = Object.keys(columns()).sort();

const t = suite("RatZarr on http:// URLs");

t("open reads every column type exactly, read-only without being asked, and never lists", async () => {
  const srv = await serve();
  const rz = await RatZarr.open(srv.url("rat.zarr"));
  assert.ok(rz.readOnly);
  assert.instance(rz.store, HttpStore);
  assert.is(rz.getRowCount(), ROWS);
  assert.is(rz.getRATChunkSize(), CHUNK);
  for (const [name, c] of Object.entries(columns())) {
    assert.is(await rz.getColumnDtype(name), c.dtype, name);
    assert.is(await rz.getColumnWidth(name), c.width ?? 1);
    same(await rz.readBlock(name, 0, ROWS), c.values, name);
    const w = c.width ?? 1;
    // A block across a chunk boundary, and one clipped at the end.
    same(await rz.readBlock(name, 290, 20), (c.values as unknown as { slice(a: number, b: number): unknown }).slice(290 * w, 310 * w), name);
    same(await rz.readBlock(name, 990, 50), (c.values as unknown as { slice(a: number, b: number): unknown }).slice(990 * w, 1000 * w), name);
  }
  assert.is((await rz.getModificationLog("i32")).length, 1);
  assert.is((await rz.getColumnAttributeMapping("i32")).get("MODIFICATIONLOG") !== undefined, true);
  assert.equal(listed(srv), [], "opening and reading sent no listing");
  await rz.close();
});

t("readOnly: false is refused; exists and isValidRatZarr; a URL with nothing there", async () => {
  const srv = await serve();
  await rejects(() => RatZarr.open(srv.url("rat.zarr"), { readOnly: false }), ReadOnlyError, /read-only/);
  assert.ok(await RatZarr.exists(srv.url("rat.zarr")));
  assert.ok(await RatZarr.isValidRatZarr(srv.url("rat.zarr")));
  assert.not.ok(await RatZarr.exists(srv.url("nothing.zarr")));
  assert.not.ok(await RatZarr.isValidRatZarr(srv.url("nothing.zarr")));
  const e = await rejects(() => RatZarr.open(srv.url("nothing.zarr")), NodeError, /no RAT here/);
  assert.is((e as NodeError).code, "missing");
  assert.equal(listed(srv), []);
});

t("writes are refused: the handle with ReadOnlyError, the store and delete with code read-only", async () => {
  const srv = await serve();
  const rz = await RatZarr.open(srv.url("rat.zarr"));
  for (const change of [() => rz.writeBlock("i32", new Int32Array(CHUNK), 0), () => rz.createColumn("new", "int8"), () => rz.setRowCount(5), () => rz.deleteColumn("i8")]) {
    const e = await rejects(change, ReadOnlyError);
    assert.is((e as ReadOnlyError).code, "read-only");
  }
  const s = await rejects(() => rz.store.set("zarr.json", new Uint8Array(1)), StoreError, /read-only/);
  assert.is((s as StoreError).code, "read-only");
  const d = await rejects(() => RatZarr.delete(srv.url("rat.zarr")), StoreError, /read-only/);
  assert.is((d as StoreError).code, "read-only");
  assert.ok(await RatZarr.isValidRatZarr(srv.url("rat.zarr")), "still there");
  await rz.close();
});

t("getColumnNames through an S3-style listing", async () => {
  const srv = await serve({ listing: true, pageSize: 4 });
  const rz = await RatZarr.open(srv.url("rat.zarr"));
  assert.equal(await rz.getColumnNames(), names);
  assert.ok(listed(srv).length > 1, "paginated");
  await rz.close();
});

t("getColumnNames with the columns option on a server that cannot list", async () => {
  const srv = await serve();
  const rz = await RatZarr.open(srv.url("rat.zarr"), { columns: ["u8", "i32", "s name", "i32"] });
  assert.equal(await rz.getColumnNames(), ["i32", "s name", "u8"]);
  assert.equal(listed(srv), []);
  const bad = await RatZarr.open(srv.url("rat.zarr"), { columns: ["u8", "nope"] });
  const e = await rejects(() => bad.getColumnNames(), NodeError, /"nope"/, /columns option/, /RAT\/nope\/zarr.json/);
  assert.is((e as NodeError).code, "missing");
  await rejects(() => RatZarr.open(srv.url("rat.zarr"), { columns: ["a/b"] }), RatZarrError, /columns option/, /'\/'/);
  await rejects(() => RatZarr.open(srv.url("rat.zarr"), { columns: [3 as unknown as string] }), RatZarrError, /columns option/);
  await rejects(() => RatZarr.open(srv.url("rat.zarr"), { columns: "u8" as unknown as string[] }), RatZarrError, /array/);
  // A writable handle must see every column (setRowCount resizes them all): no columns option.
  const local = join(await ratFolder(), "rat.zarr");
  await rejects(() => NodeRatZarr.open(local, { columns: ["u8"] }), RatZarrError, /read-only handles/);
});

t("getColumnNames without a listing or columns: the error says why", async () => {
  const srv = await serve();
  const rz = await RatZarr.open(srv.url("rat.zarr"));
  const e = await rejects(() => rz.getColumnNames(), StoreError, /cannot list/, /columns/);
  assert.is((e as StoreError).code, "store");
  // Reading named columns needs no listing.
  assert.equal(await rz.readBlock("u16", 0, 3), new Uint16Array([0, 65, 130]));
  await rz.close();
});

t("http options reach the store: a custom fetch adding the header the server wants", async () => {
  const srv = await serve({ requireHeader: ["authorization", "Bearer t"], listing: true });
  let calls = 0;
  const fetch = (url: string, init: RequestInit) => {
    calls++;
    return globalThis.fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: "Bearer t" } });
  };
  const rz = await RatZarr.open(srv.url("rat.zarr"), { http: { fetch } });
  assert.equal(await rz.readBlock("i16", 0, 2), new Int16Array([-16000, -15967]));
  assert.equal(await rz.getColumnNames(), names);
  assert.ok(calls > 3);
  await rz.close();
  assert.ok(await RatZarr.exists(srv.url("rat.zarr"), { http: { headers: { authorization: "Bearer t" } } }));
  await rejects(() => RatZarr.open(srv.url("rat.zarr")), StoreError, /HTTP 401/);
});

t("reads survive dropped connections and 503s; a server that ignores Range still reads right", async () => {
  const srv = await serve({ refuseRange: true });
  const rz = await RatZarr.open(srv.url("rat.zarr"), { http: { retry: { baseDelayMs: 1 } } });
  srv.failNext(3, "drop");
  srv.failNext(2, "503");
  srv.failNext(1, "cut");
  const c = columns();
  same(await rz.readBlock("f64", 0, ROWS), c["f64"]!.values);
  assert.equal(await rz.readBlock("s name", 0, ROWS), c["s name"]!.values);
  assert.ok((rz.store as HttpStore).requests.retries >= 6);
  await rz.close();
});

t("the node entry opens http:// URLs too, and an aborted signal stops the open", async () => {
  const srv = await serve();
  const rz = await NodeRatZarr.open(srv.url("rat.zarr"));
  assert.ok(rz.readOnly);
  assert.equal(await rz.readBlock("u32", 1, 2), new Uint32Array([4_000_000, 8_000_000]));
  await rz.close();
  const ac = new AbortController();
  ac.abort();
  const e = await rejects(() => RatZarr.open(srv.url("rat.zarr"), { signal: ac.signal }), StoreError, /aborted/);
  assert.is((e as StoreError).code, "aborted");
});

t.after(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
t.run();
