/**
 * The smoke-and-correctness script every runtime runs (test/runtimes/*.test.ts):
 * a RAT in a MemoryStore with columns of several types written and read back
 * exactly, in aligned and unaligned blocks; the codecs (gzip, zstd, crc32c,
 * blosc) round-tripped and a corrupted crc32c chunk refused; committed
 * zarr-python fixtures read over HTTP, as a RAT with `columns` and as arrays
 * through the HTTP store.
 *
 * It uses web-platform globals only and takes the package as an argument (the
 * core or the Node entry, as built by tsc), so the same file runs in Node, Deno,
 * Bun, a browser page and workers. esbuild strips the types (no imports remain).
 */
import type * as Api from "../../src/index.js";

/** What a run gives back: the names of the checks that passed, and the first failure. */
export interface SmokeResult {
  readonly passed: string[];
  readonly failed: { readonly check: string; readonly message: string } | null;
}

/** What the host tells the script about where it runs. */
export interface SmokeEnv {
  /** Where the fixtures are served: `<fixtures>/<case>/data.zarr` and `<case>/expected.json`. */
  readonly fixtures: string;
}

type Value = unknown;

/** A value as a string that tells -0, NaN, 1 and 1n apart from one another. */
function show(v: Value): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  return JSON.stringify(v);
}

/** expected.json's convention (spec-tests/fixtures/README.md) in `show`'s. */
function showExpected(v: Value, dataType: string): string {
  if (dataType === "int64" || dataType === "uint64") return `${String(v)}n`;
  if (typeof v === "string" && dataType !== "string") return v === "NaN" || v === "Infinity" || v === "-Infinity" ? v : JSON.stringify(v);
  return show(v);
}

function same(got: ArrayLike<Value>, want: ArrayLike<Value>, what: string): void {
  const g = Array.from(got, show);
  const w = Array.from(want, show);
  if (g.length !== w.length || g.some((x, i) => x !== w[i])) throw new Error(`${what}: got [${g.join(", ")}], want [${w.join(", ")}]`);
}

function ok(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
  return (await r.json()) as Record<string, unknown>;
}

/**
 * Run every check in order with the package `m` (the core or the Node entry); stops at the
 * first failure and reports it with the checks that passed before it. Never throws.
 */
export async function smoke(m: typeof Api, env: SmokeEnv): Promise<SmokeResult> {
  const passed: string[] = [];
  const check = async (name: string, body: () => Promise<void>): Promise<void> => {
    await body();
    passed.push(name);
  };
  let current = "";
  const steps: [string, () => Promise<void>][] = [];
  const step = (name: string, body: () => Promise<void>) => steps.push([name, body]);

  // ---- a RAT in a MemoryStore ----
  const store = new m.MemoryStore();
  const warnings: string[] = [];
  const ROWS = 10;
  const f64 = Float64Array.from([-0, 0.1, 2 ** -1074, Number.MAX_VALUE, NaN, Infinity, -Infinity, 1 / 3, -2.5, 7]);
  const i32 = Int32Array.from([-2147483648, 2147483647, 0, -1, 1, 42, -42, 1000000, 7, 8]);
  const strs = ["", "a", "é", "日本語", "🦀 crab", "x".repeat(300), "tab\tnew\nline", "\u0000nul", "last-but-one", "z"];
  const u16 = Uint16Array.from({ length: ROWS * 3 }, (_, i) => (i * 2521) % 65536);
  let rz: Api.RatZarr | undefined;

  step("rat: create in a MemoryStore, chunk size 4, 10 rows", async () => {
    rz = await m.RatZarr.open(store, { onWarning: (w) => warnings.push(w), provenance: { user: "smoke", argv: ["smoke"] } });
    await rz.setChunkSize(4);
    await rz.setRowCount(ROWS);
    await rz.createColumn("f64", "float64");
    await rz.createColumn("i32", "int32");
    await rz.createColumn("str", "string");
    await rz.createColumn("u16x3", "uint16", { width: 3 });
    same(await rz.getColumnNames(), ["f64", "i32", "str", "u16x3"], "column names");
    ok((await rz.getColumnWidth("u16x3")) === 3, "width of u16x3");
    ok((await rz.getColumnDtype("str")) === "string", "dtype of str");
    const meta = new TextDecoder().decode((await store.get("RAT/f64/zarr.json"))!);
    ok(/"name":\s*"zstd"/.test(meta), `f64 is stored with zstd: ${meta}`);
  });
  step("rat: aligned blocks write and read back exactly", async () => {
    const r = rz!;
    // Rows 0-3 and 4-7 are whole chunks; 8-9 end at the row count (the ragged last chunk).
    for (const [a, b] of [[0, 4], [4, 8], [8, 10]] as const) {
      await r.writeBlock("f64", f64.subarray(a, b), a);
      await r.writeBlock("i32", i32.slice(a, b), a);
      await r.writeBlock("str", strs.slice(a, b), a);
      await r.writeBlock("u16x3", u16.subarray(a * 3, b * 3), a);
    }
    ok(warnings.length === 0, `aligned writes warned: ${warnings.join("; ")}`);
    same(await r.readBlock("f64", 0, ROWS), f64, "f64");
    same(await r.readBlock("i32", 0, ROWS), i32, "i32");
    same(await r.readBlock("str", 0, ROWS), strs, "str");
    same(await r.readBlock("u16x3", 0, ROWS), u16, "u16x3");
  });
  step("rat: unaligned blocks write and read back exactly (and warn)", async () => {
    const r = rz!;
    f64.set([1.5, -1.5, 2 ** 53], 3);
    await r.writeBlock("f64", f64.subarray(3, 6), 3);
    strs.splice(2, 5, "β", "γ", "δ", "ε", "ζ");
    await r.writeBlock("str", strs.slice(2, 7), 2);
    u16.set([65535, 0, 1, 2, 3, 4], 5 * 3);
    await r.writeBlock("u16x3", u16.subarray(15, 21), 5);
    // Once per kind and handle: a block smaller than a chunk, and one across chunk boundaries.
    ok(warnings.length === 2 && /smaller than the chunk size 4/.test(warnings[0]!) && /not aligned to the chunk size 4/.test(warnings[1]!), `two alignment warnings, got ${JSON.stringify(warnings)}`);
    same(await r.readBlock("f64", 1, 6), f64.subarray(1, 7), "f64 rows 1-6");
    same(await r.readBlock("str", 3, 4), strs.slice(3, 7), "str rows 3-6");
    same(await r.readBlock("u16x3", 4, 3), u16.subarray(12, 21), "u16x3 rows 4-6");
    same(await r.readBlock("i32", 9, 5), i32.subarray(9), "i32 read past the end is clipped");
  });
  step("rat: reopened read-only from the stored bytes, same values and a modification log", async () => {
    await rz!.close();
    const back = await m.RatZarr.open(store, { readOnly: true });
    same(await back.readBlock("f64", 0, ROWS), f64, "f64");
    same(await back.readBlock("i32", 0, ROWS), i32, "i32");
    same(await back.readBlock("str", 0, ROWS), strs, "str");
    same(await back.readBlock("u16x3", 0, ROWS), u16, "u16x3");
    const log = await back.getModificationLog("f64");
    ok(log.length === 1 && log[0]![1] === "smoke", `modification log ${JSON.stringify(log)}`);
    await back.writeBlock("i32", i32, 0).then(
      () => ok(false, "a read-only handle wrote"),
      (e: unknown) => ok(e instanceof m.ReadOnlyError && e.code === "read-only", `read-only write: ${String(e)}`),
    );
    await back.close();
  });

  // ---- codecs ----
  const data = Float64Array.from({ length: 37 }, (_, i) => (i % 5 === 0 ? -i : i / 7));
  const pipelines: [string, Api.CodecMetadata[]][] = [
    ["gzip", [{ name: "bytes", configuration: { endian: "little" } }, { name: "gzip", configuration: { level: 5 } }]],
    ["zstd", [{ name: "bytes", configuration: { endian: "little" } }, { name: "zstd", configuration: { level: 3, checksum: true } }]],
    ["crc32c", [{ name: "bytes", configuration: { endian: "big" } }, { name: "crc32c" }]],
    ["blosc", [{ name: "bytes", configuration: { endian: "little" } }, { name: "blosc", configuration: { cname: "zstd", clevel: 5, shuffle: "shuffle", typesize: 8, blocksize: 0 } }]],
  ];
  for (const [name, codecs] of pipelines) {
    step(`codec ${name}: write and read back 37 float64 in chunks of 8`, async () => {
      const s = new m.MemoryStore();
      const a = await m.ZarrArray.create(s, "a", { shape: [data.length], dataType: "float64", chunkShape: [8], codecs });
      await a.write(0, data.subarray(0, 20));
      await a.write(20, data.subarray(20));
      const fresh = await m.ZarrArray.open(s, "a", { readOnly: true });
      same(await fresh.read(), data, name);
      same(await fresh.read(5, 19), data.subarray(5, 19), `${name} rows 5-18`);
      if (name === "crc32c") {
        const key = "a/c/1";
        const bytes = (await s.get(key))!.slice();
        bytes[3]! ^= 0xff;
        await s.set(key, bytes);
        const again = await m.ZarrArray.open(s, "a", { readOnly: true });
        await again.read(8, 16).then(
          () => ok(false, "a corrupted chunk read"),
          (e: unknown) => ok(e instanceof m.CodecError && e.code === "codec" && e.codec === "crc32c", `corrupted chunk: ${String(e)}`),
        );
      }
    });
  }

  // ---- zarr-python fixtures over HTTP ----
  step("http: the zarr-python RAT fixture through RatZarr.open(url, { columns })", async () => {
    const exp = await getJson(`${env.fixtures}/rat/expected.json`);
    const nodes = exp["nodes"] as Record<string, { node_type: string; data_type: string; shape: number[]; values: Value[]; attributes?: Record<string, unknown> }>;
    const cols = Object.keys(nodes).filter((k) => k.startsWith("RAT/")).map((k) => k.slice(4));
    ok(cols.length >= 4, `${cols.length} columns in the fixture`);
    const r = await m.RatZarr.open(`${env.fixtures}/rat/data.zarr`, { columns: cols });
    ok(r.readOnly, "an http URL opens read-only");
    same(await r.getColumnNames(), [...cols].sort(), "column names");
    const rows = r.getRowCount();
    for (const c of cols) {
      const want = nodes[`RAT/${c}`]!;
      ok((await r.getColumnDtype(c)) === want.data_type, `column ${c} dtype`);
      same(Array.from(await r.readBlock(c, 0, rows), show), want.values.map((v) => showExpected(v, want.data_type)), `column ${c}`);
      same(Array.from(await r.readBlock(c, 3, 4), show).slice(0, 4 * (want.shape[1] ?? 1)), want.values.slice(3 * (want.shape[1] ?? 1), 7 * (want.shape[1] ?? 1)).map((v) => showExpected(v, want.data_type)), `column ${c} rows 3-6`);
    }
    await r.close();
  });
  const cases = ["gzip", "crc32c", "zstd_crc32c", "blosc_shuffle", "blosc_bitshuffle", "int64_big", "string", "sharded", "bigendian_float64"];
  step(`http: ${cases.length} zarr-python arrays through the HTTP store (${cases.join(", ")})`, async () => {
    for (const name of cases) {
      const exp = await getJson(`${env.fixtures}/${name}/expected.json`);
      const a = await m.ZarrArray.open(new m.HttpStore(`${env.fixtures}/${name}/data.zarr`), "", { readOnly: true });
      ok(a.dataType === exp["data_type"], `${name}: data type ${a.dataType}`);
      same(Array.from(await a.read(), show), (exp["values"] as Value[]).map((v) => showExpected(v, a.dataType)), name);
    }
  });

  for (const [name, body] of steps) {
    current = name;
    try {
      await check(name, body);
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      return { passed, failed: { check: current, message } };
    }
  }
  return { passed, failed: null };
}
