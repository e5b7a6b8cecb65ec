/**
 * `ratzarr export` and `ratzarr import` as a user runs them (the packed
 * tarball installed in an empty project, `npx ratzarr`), checked against
 * other readers: the CSV by Python's `csv` module, the Parquet by pyarrow,
 * the JSON Lines by Python's `json`, each value compared with what
 * zarr-python reads from the same RAT (the Python script PYTHON_CHECK below).
 * Then import → export round trips, --rows/--columns, one-line errors, a RAT
 * of 250000 rows (ten CSV blocks, three Parquet row groups), and S3 when
 * this run started servers.
 */
import { test } from "uvu";
import { installedCli } from "../helpers/installed-cli.js";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { clientConfig, s3Servers } from "../helpers/backends.js";

const root = join(import.meta.dirname, "../..");
const python = join(root, ".venv/bin/python");
const work = mkdtempSync(join(tmpdir(), "ratzarr-export-"));
let app = "";
const rat = join(work, "types.zarr");
const big = join(work, "big.zarr");
const checker = join(work, "check.py");
const env = { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false", NODE_NO_WARNINGS: "1" };
const ROWS = 13;
const BIG_ROWS = 250_000;

/** `npx ratzarr ...args` in the project. */
function ratzarr(args: readonly string[], extraEnv: Record<string, string> = {}): { status: number; out: string; err: string } {
  const r = spawnSync("npx", ["--no-install", "ratzarr", ...args], { cwd: app, env: { ...env, ...extraEnv }, encoding: "utf8", maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** The Python check of an exported file against zarr-python's read of the RAT: "ok ROWS" or a failure. */
function check(mode: "csv" | "jsonl" | "parquet", ratPath: string, file: string, start = 0, stop = -1, columns = ""): string {
  const r = spawnSync(python, [checker, mode, ratPath, file, String(start), String(stop), columns], { encoding: "utf8" });
  assert.is(r.status, 0, `${mode} check failed:\n${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

/** Column name → [data type, width] as `ratzarr info --json` reports them. */
function types(path: string): Record<string, [string, number]> {
  const r = ratzarr(["info", path, "--json"]);
  assert.is(r.status, 0, r.err);
  const j = JSON.parse(r.out) as { columns: { name: string; dataType: string; width: number }[] };
  return Object.fromEntries(j.columns.map((c) => [c.name, [c.dataType, c.width]]));
}

/** Files in the work folder whose name holds ".tmp-" (an export's temporary file). */
const leftovers = (): string[] => readdirSync(work).filter((f) => f.includes(".tmp-"));

const PYTHON_CHECK = String.raw`
import csv, json, math, sys
import numpy as np, pyarrow.parquet as pq, zarr
mode, rat, path, start, stop, only = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
g = zarr.open_group(rat, mode="r")["RAT"]
names = only.split(",") if only else sorted(g.array_keys())
arrays = {n: g[n][:] for n in names}
rows = len(next(iter(arrays.values())))
stop = rows if stop < 0 else min(stop, rows)
fields = [(n, j) for n in names for j in (range(arrays[n].shape[1]) if arrays[n].ndim == 2 else [None])]
header = [n if j is None else f"{n}[{j}]" for n, j in fields]
def want(n, j, r):
    a = arrays[n][r]
    return a if j is None else a[j]
def same_float(got, w, where):
    w = float(w)
    ok = (math.isnan(got) and math.isnan(w)) or (got == w and math.copysign(1, got) == math.copysign(1, w))
    assert ok, f"{where}: got {got!r}, want {w!r}"
def from_text(text, kind, w, where):
    if kind == "f":
        got = float(text)
        if w.dtype == np.float32: got = float(np.float32(got))
        same_float(got, w, where)
        assert text in ("NaN", "Infinity", "-Infinity") or not math.isinf(float(text)) or True
    elif kind in "iu": assert int(text) == int(w), f"{where}: got {text!r}, want {int(w)}"
    elif kind == "b": assert text == ("true" if w else "false"), f"{where}: got {text!r}, want {bool(w)}"
    else: assert text == str(w), f"{where}: got {text!r}, want {str(w)!r}"
def from_value(v, kind, w, where):
    if kind == "f":
        if isinstance(v, str): assert v in ("NaN", "Infinity", "-Infinity"), f"{where}: {v!r}"; v = float(v)
        if w.dtype == np.float32: v = float(np.float32(v))
        same_float(float(v), w, where)
    elif kind in "iu": assert type(v) is int and v == int(w), f"{where}: got {v!r}, want {int(w)}"
    elif kind == "b": assert v is bool(w), f"{where}: got {v!r}, want {bool(w)}"
    else: assert v == str(w), f"{where}: got {v!r}, want {str(w)!r}"
kinds = {n: arrays[n].dtype.kind for n in names}
if mode == "csv":
    with open(path, newline="", encoding="utf-8") as f:
        records = list(csv.reader(f))
    assert records[0] == header, f"header {records[0]} != {header}"
    assert len(records) - 1 == stop - start, f"{len(records) - 1} rows, want {stop - start}"
    for i, rec in enumerate(records[1:]):
        for k, (n, j) in enumerate(fields):
            k2 = kinds[n] if kinds[n] in "fiub" else "s"
            from_text(rec[k], k2, want(n, j, start + i), f"line {i + 2} {header[k]}")
elif mode == "jsonl":
    with open(path, encoding="utf-8") as f:
        lines = [json.loads(l) for l in f]
    assert len(lines) == stop - start, f"{len(lines)} lines, want {stop - start}"
    for i, obj in enumerate(lines):
        assert list(obj) == names, f"keys {list(obj)}"
        for n, j in fields:
            v = obj[n] if j is None else obj[n][j]
            from_value(v, kinds[n] if kinds[n] in "fiub" else "s", want(n, j, start + i), f"line {i + 1} {n} {j}")
else:
    t = pq.read_table(path)
    arrow = {"int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64", "uint8": "uint8", "uint16": "uint16",
             "uint32": "uint32", "uint64": "uint64", "float32": "float", "float64": "double", "bool": "bool"}
    assert t.column_names == header, f"columns {t.column_names}"
    for n, j in fields:
        h = n if j is None else f"{n}[{j}]"
        field = t.schema.field(h)
        assert not field.nullable, f"{h} nullable"
        assert str(field.type) == arrow.get(str(arrays[n].dtype), "string"), f"{h}: {field.type} for {arrays[n].dtype}"
        for i, v in enumerate(t.column(h).to_pylist()):
            from_value(v, kinds[n] if kinds[n] in "fiub" else "s", want(n, j, start + i), f"row {start + i} {h}")
    assert t.num_rows == stop - start
    print("row_groups", pq.ParquetFile(path).metadata.num_row_groups)
print("ok", stop - start)
`;

test.before(() => {
  app = installedCli().app;
  writeFileSync(checker, PYTHON_CHECK);
  // Every type, with the values that trip writers up; 13 rows in chunks of 5.
  const script = `
    import { RatZarr } from "ratzarr";
    const n = ${ROWS}, pick = (list, i) => list[i % list.length];
    const rz = await RatZarr.open(${JSON.stringify(rat)});
    await rz.setChunkSize(5);
    await rz.setRowCount(n);
    const col = async (name, type, values, width = 1) => { await rz.createColumn(name, type, { width }); await rz.writeBlock(name, values, 0); };
    await col("i8", "int8", Int8Array.from({ length: n }, (_, i) => pick([-128, 127, 0, -1], i)));
    await col("i16", "int16", Int16Array.from({ length: n }, (_, i) => pick([-32768, 32767, 5], i)));
    await col("i32", "int32", Int32Array.from({ length: n }, (_, i) => pick([-2147483648, 2147483647, 7], i)));
    await col("i64", "int64", BigInt64Array.from({ length: n }, (_, i) => pick([-9223372036854775808n, 9223372036854775807n, 9007199254740993n, -9007199254740993n, 0n], i)));
    await col("u8", "uint8", Uint8Array.from({ length: n }, (_, i) => pick([0, 255], i)));
    await col("u16", "uint16", Uint16Array.from({ length: n }, (_, i) => pick([0, 65535], i)));
    await col("u32", "uint32", Uint32Array.from({ length: n }, (_, i) => pick([0, 4294967295, 2147483648], i)));
    await col("u64", "uint64", BigUint64Array.from({ length: n }, (_, i) => pick([0n, 18446744073709551615n, 9223372036854775808n], i)));
    await col("f32", "float32", Float32Array.from({ length: n }, (_, i) => pick([NaN, -0, Infinity, -Infinity, 0.1, 3.4028234663852886e38, 1e-45, 16777217, -2.5], i)));
    await col("f64", "float64", Float64Array.from({ length: n }, (_, i) => pick([NaN, -0, Infinity, -Infinity, 0.1, 5e-324, 1.7976931348623157e308, 1 / 3, 1e21, 123456789012345680000, -2.5], i)));
    await col("ok", "bool", Uint8Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0));
    await col("name", "string", Array.from({ length: n }, (_, i) => pick(["a,b", 'say "hi"', "line\\nbreak", "cr\\r\\nlf", "é✓😀", "", " lead", "trail ", "plain", "NaN", "12"], i)));
    await col("rgb", "uint8", Uint8Array.from({ length: 3 * n }, (_, i) => (i * 37) % 256), 3);
    await rz.close();
    const b = await RatZarr.open(${JSON.stringify(big)});
    await b.setChunkSize(50000);
    await b.setRowCount(${BIG_ROWS});
    await b.createColumn("f", "float64");
    await b.writeBlock("f", Float64Array.from({ length: ${BIG_ROWS} }, (_, i) => i * 0.5), 0);
    await b.createColumn("n", "int64");
    await b.writeBlock("n", BigInt64Array.from({ length: ${BIG_ROWS} }, (_, i) => 9007199254740993n + BigInt(i)), 0);
    await b.createColumn("s", "string");
    await b.writeBlock("s", Array.from({ length: ${BIG_ROWS} }, (_, i) => "r" + i), 0);
    await b.close();
  `;
  execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test("--help: usage, an example and the --json shape of both commands", () => {
  for (const name of ["export", "import"]) {
    const r = ratzarr([name, "--help"]);
    assert.is(r.status, 0, r.err);
    assert.match(r.out, new RegExp(`^Usage: ratzarr ${name} `));
    assert.match(r.out, new RegExp(`Example:\\n {2}\\$ ratzarr ${name} `));
    assert.match(r.out, /--json: \{"path","output","format",/);
  }
  assert.match(ratzarr(["--help"]).out, /^ {2}export +\S.*\n {2}import +\S/m);
});

test("export CSV: every type and value as Python's csv module reads it, equal to zarr-python's", () => {
  const file = join(work, "types.csv");
  const r = ratzarr(["export", rat, "-o", file, "--json"]);
  assert.is(r.status, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown>;
  assert.equal([j.format, j.rows, j.columns, j.start, j.stop], ["csv", ROWS, 13, 0, ROWS]);
  assert.is(j.bytes, readFileSync(file).byteLength);
  assert.is(check("csv", rat, file), `ok ${ROWS}`);
  const text = readFileSync(file, "utf8");
  assert.ok(text.startsWith("f32,f64,i16,i32,i64,i8,name,ok,rgb[0],rgb[1],rgb[2],u16,u32,u64,u8\r\n"), text.slice(0, 120));
  // Spellings the README documents: NaN, -0, infinities, exact 64-bit, shortest float32.
  assert.match(text, /\r\nNaN,NaN,-32768,-2147483648,-9223372036854775808,-128,"a,b",true,/);
  assert.match(text, /\r\n-0,-0,32767,2147483647,9223372036854775807,127,"say ""hi""",false,.*,18446744073709551615,255\r\n/);
  assert.match(text, /\r\nInfinity,Infinity,.*,9007199254740993,.*"line\nbreak"/);
  assert.match(text, /\r\n0\.1,0\.1,/);
  assert.match(text, /\r\n3\.4028235e\+38,5e-324,/);
  assert.match(text, /\r\n1e-45,1\.7976931348623157e\+308,/);
  assert.equal(leftovers(), []);
});

test("export JSONL: one object per row, 64-bit integers exact, as Python's json reads them", () => {
  const file = join(work, "types.jsonl");
  const r = ratzarr(["export", rat, "-o", file]);
  assert.is(r.status, 0, r.err);
  assert.match(r.out, new RegExp(`: ${ROWS} rows, 13 columns → .*types\\.jsonl \\(jsonl, \\d+ bytes\\)`));
  assert.is(check("jsonl", rat, file), `ok ${ROWS}`);
  const first = readFileSync(file, "utf8").split("\n")[0]!;
  assert.match(first, /"i64":-9223372036854775808,/);
  assert.match(first, /"f64":"NaN",/);
  assert.match(first, /"rgb":\[0,37,74\]/);
  const stdout = ratzarr(["export", rat, "-o", "-", "--format", "jsonl", "--rows", "1:2", "--columns", "f64,u64"]);
  assert.is(stdout.status, 0, stdout.err);
  assert.is(stdout.out, '{"f64":-0.0,"u64":18446744073709551615}\n');
});

test("export Parquet: the documented types (not null), every value as pyarrow reads it; one row group per block", () => {
  const file = join(work, "types.parquet");
  const r = ratzarr(["export", rat, "-o", file, "--json"]);
  assert.is(r.status, 0, r.err);
  assert.is(JSON.parse(r.out).format, "parquet");
  assert.is(check("parquet", rat, file), `row_groups 1\nok ${ROWS}`);
});

test("--rows and --columns pick rows and columns; -o - writes CSV to standard output", () => {
  const r = ratzarr(["export", rat, "-o", "-", "--rows", "2:5", "--columns", "name,i64,rgb"]);
  assert.is(r.status, 0, r.err);
  assert.is(r.out, 'name,i64,rgb[0],rgb[1],rgb[2]\r\n"line\nbreak",9007199254740993,222,3,40\r\n"cr\r\nlf",-9007199254740993,77,114,151\r\né✓😀,0,188,225,6\r\n');
  assert.is(r.err, "");
  const file = join(work, "some.parquet");
  assert.is(ratzarr(["export", rat, "-o", file, "--rows", "3:100", "--columns", "f32,u32,rgb"]).status, 0);
  assert.is(check("parquet", rat, file, 3, 100, "f32,u32,rgb"), `row_groups 1\nok ${ROWS - 3}`);
  const csvFile = join(work, "some.csv");
  assert.is(ratzarr(["export", rat, "-o", csvFile, "--rows", ":4", "--columns", "ok,u64,f32"]).status, 0);
  assert.is(check("csv", rat, csvFile, 0, 4, "ok,u64,f32"), "ok 4");
  const none = ratzarr(["export", rat, "-o", "-", "--rows", "50:60", "--columns", "i8"]);
  assert.is(none.out, "i8\r\n", "no rows: the header alone");
});

test("import CSV: types inferred, round trip equal; --type sets types; PATH holding a RAT needs --force", () => {
  const csvFile = join(work, "types.csv");
  const back = join(work, "from-csv.zarr");
  const r = ratzarr(["import", csvFile, "-o", back, "--chunk-size", "4", "--json"]);
  assert.is(r.status, 0, r.err);
  const j = JSON.parse(r.out) as { rows: number; columns: number; types: Record<string, string>; chunkSize: number };
  assert.equal([j.rows, j.columns, j.chunkSize], [ROWS, 13, 4]);
  assert.equal(j.types, { f32: "float64", f64: "float64", i16: "int32", i32: "int32", i64: "int64", i8: "int32", name: "string", ok: "bool", rgb: "int32[3]", u16: "int32", u32: "int64", u64: "uint64", u8: "int32" });
  assert.equal(types(back).rgb, ["int32", 3]);
  const again = join(work, "again.csv");
  assert.is(ratzarr(["export", back, "-o", again]).status, 0);
  assert.is(readFileSync(again, "utf8"), readFileSync(csvFile, "utf8"), "CSV → RAT → CSV: the same text");
  const refused = ratzarr(["import", csvFile, "-o", back]);
  assert.is(refused.status, 1);
  assert.is(refused.err, `ratzarr: "${back}": a RAT is already here (--force replaces it)\n`);
  const typed = ratzarr(["import", csvFile, "-o", back, "--force", "--type", "i8=int8,u64=uint64", "--type", "f32=float32", "--type", "rgb=uint8", "--json"]);
  assert.is(typed.status, 0, typed.err);
  assert.equal(types(back).i8, ["int8", 1]);
  assert.equal(types(back).f32, ["float32", 1]);
  assert.equal(types(back).rgb, ["uint8", 3]);
  assert.is(check("csv", back, csvFile), `ok ${ROWS}`, "the typed RAT holds the values of the CSV");
});

test("import Parquet: the file's types kept, round trip equal", () => {
  const file = join(work, "types.parquet");
  const back = join(work, "from-parquet.zarr");
  const r = ratzarr(["import", file, "-o", back]);
  assert.is(r.status, 0, r.err);
  assert.match(r.out, new RegExp(`: ${ROWS} rows, 13 columns → `));
  assert.equal(types(back), types(rat));
  const again = join(work, "again.parquet");
  assert.is(ratzarr(["export", back, "-o", again]).status, 0);
  assert.is(check("parquet", rat, again), `row_groups 1\nok ${ROWS}`);
  assert.is(ratzarr(["export", back, "-o", "-"]).out, ratzarr(["export", rat, "-o", "-"]).out);
});

test("import CSV: the inference rule, width from name[i] headers, empty cells as NaN (as pandas writes NaN)", () => {
  const file = join(work, "infer.csv");
  writeFileSync(file, "b,i,big,u,f,s,e,w[0],w[1],lone[0]\r\ntrue,1,9223372036854775807,18446744073709551615,1.5,x,,1,2,7\r\nFALSE,-2,0,0,,007,,3,4.5,8\r\n");
  const back = join(work, "infer.zarr");
  const r = ratzarr(["import", file, "-o", back, "--json"]);
  assert.is(r.status, 0, r.err);
  assert.equal(JSON.parse(r.out).types, { b: "bool", i: "int32", big: "int64", u: "uint64", f: "float64", s: "string", e: "string", w: "float64[2]", "lone[0]": "int32" });
  const out = ratzarr(["export", back, "-o", "-", "--format", "jsonl", "--columns", "f,w,s,b,u"]);
  assert.is(out.out, '{"f":1.5,"w":[1,2],"s":"x","b":true,"u":18446744073709551615}\n{"f":"NaN","w":[3,4.5],"s":"007","b":false,"u":0}\n');
});

test("import Parquet written by pyarrow: row groups, nulls in a float column, unsigned types; a null elsewhere or a date is refused", () => {
  const file = join(work, "py.parquet");
  const py = spawnSync(python, ["-c", `
import pyarrow as pa, pyarrow.parquet as pq
t = pa.table({"a": pa.array([1, -2, 3], pa.int8()), "u": pa.array([0, 4294967295, 7], pa.uint32()), "f": pa.array([1.5, None, float("nan")]),
  "s": pa.array(["x", "y,z", "é"]), "ub": pa.array([2**64 - 1, 0, 1], pa.uint64()), "big": pa.array([2**63 - 1, -2**63, 9007199254740993])})
pq.write_table(t, ${JSON.stringify(file)}, row_group_size=2)
pq.write_table(pa.table({"i": pa.array([1, None], pa.int32())}), ${JSON.stringify(join(work, "null.parquet"))})
pq.write_table(pa.table({"d": pa.array([1, 2], pa.date32())}), ${JSON.stringify(join(work, "date.parquet"))})
`], { encoding: "utf8" });
  assert.is(py.status, 0, py.stderr);
  const back = join(work, "py.zarr");
  const r = ratzarr(["import", file, "-o", back, "--chunk-size", "2", "--json"]);
  assert.is(r.status, 0, r.err);
  assert.equal(JSON.parse(r.out).types, { a: "int8", u: "uint32", f: "float64", s: "string", ub: "uint64", big: "int64" });
  assert.is(ratzarr(["export", back, "-o", "-"]).out, 'a,big,f,s,u,ub\r\n1,9223372036854775807,1.5,x,0,18446744073709551615\r\n-2,-9223372036854775808,NaN,"y,z",4294967295,0\r\n3,9007199254740993,NaN,é,7,1\r\n');
  const nul = ratzarr(["import", join(work, "null.parquet"), "-o", join(work, "n.zarr")]);
  assert.is(nul.status, 1);
  assert.match(nul.err, /null\.parquet row 1, column "i": null, and an int32 column has no missing values/);
  const date = ratzarr(["import", join(work, "date.parquet"), "-o", join(work, "n.zarr")]);
  assert.is(date.status, 1);
  assert.match(date.err, /column "d" is of Parquet type INT32 \(DATE\), which a RAT column cannot hold\n$/);
  assert.not.ok(existsSync(join(work, "n.zarr")));
});

test("errors are one line: unknown column, bad --type, a cell that does not fit, a ragged row; nothing is left behind", () => {
  const file = join(work, "never.csv");
  const unknown = ratzarr(["export", rat, "-o", file, "--columns", "i8,nope"]);
  assert.is(unknown.status, 1);
  assert.is(unknown.err, `ratzarr: "RAT/nope": column "nope" does not exist in RAT "${rat}"\n`);
  assert.not.ok(existsSync(file));
  for (const args of [["export", rat, "-o", "-", "--format", "parquet"], ["export", rat], ["export", rat, "-o", join(work, "x.txt")], ["import", join(work, "types.csv"), "-o", join(work, "t.zarr"), "--type", "i8=int99"], ["import", join(work, "types.csv"), "-o", join(work, "t.zarr"), "--type", "nope=int8"], ["import", join(work, "types.csv"), "-o", join(work, "t.zarr"), "--chunk-size", "0"]]) {
    const r = ratzarr(args);
    assert.is(r.status, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, /^ratzarr (export|import): .*\nUsage: ratzarr /);
    assert.is(r.out, "");
  }
  assert.match(ratzarr(["import", join(work, "types.csv"), "-o", join(work, "t.zarr"), "--type", "i8=int99"]).err, /unknown type "int99" \(one of bool, int8/);
  const fits = ratzarr(["import", join(work, "types.csv"), "-o", join(work, "t.zarr"), "--type", "u16=int16"]);
  assert.is(fits.status, 1);
  assert.is(fits.err, `ratzarr: ${join(work, "types.csv")} line 3, column "u16": "65535" is outside int16 (-32768 to 32767)\n`);
  const ragged = join(work, "ragged.csv");
  writeFileSync(ragged, 'a,b\n1,"x\ny"\n2\n3,4\n');
  const r = ratzarr(["import", ragged, "-o", join(work, "t.zarr")]);
  assert.is(r.status, 1);
  assert.is(r.err, `ratzarr: ${ragged} line 4: 1 field, but the header has 2\n`);
  assert.not.ok(existsSync(join(work, "t.zarr")), "nothing created from a bad file");
  const plain = join(work, "plain");
  mkdirSync(plain);
  const notRat = ratzarr(["import", join(work, "types.csv"), "-o", plain, "--force"]);
  assert.is(notRat.status, 1);
  assert.match(notRat.err, /not a RAT is here; not replaced/);
  assert.equal(leftovers(), []);
});

test("a failure half-way through an export leaves no FILE and no temporary file", () => {
  const broken = join(work, "broken.zarr");
  execFileSync("cp", ["-r", big, broken]);
  writeFileSync(join(broken, "RAT/f/c/4"), Buffer.from("not zstd"));
  const file = join(work, "broken.csv");
  const r = ratzarr(["export", broken, "-o", file]);
  assert.is(r.status, 1);
  assert.match(r.err, /^ratzarr: .*RAT\/f\/c\/4/);
  assert.is(r.err.split("\n").length, 2, "one line");
  assert.not.ok(existsSync(file));
  assert.equal(leftovers(), []);
});

test(`streaming: ${BIG_ROWS} rows (many blocks) to CSV, JSONL and Parquet, and back`, () => {
  const csvFile = join(work, "big.csv");
  assert.is(ratzarr(["export", big, "-o", csvFile]).status, 0);
  const text = readFileSync(csvFile, "utf8");
  const lines = text.split("\r\n");
  assert.is(lines.length, BIG_ROWS + 2);
  assert.is(lines[1], "0,9007199254740993,r0");
  assert.is(lines[BIG_ROWS], `${(BIG_ROWS - 1) / 2},${9007199254740993n + BigInt(BIG_ROWS - 1)},r${BIG_ROWS - 1}`);
  assert.is(check("csv", big, csvFile), `ok ${BIG_ROWS}`);
  const pq = join(work, "big.parquet");
  assert.is(ratzarr(["export", big, "-o", pq]).status, 0);
  assert.is(check("parquet", big, pq), `row_groups 3\nok ${BIG_ROWS}`);
  const jsonl = ratzarr(["export", big, "-o", "-", "--format", "jsonl", "--rows", "199999:200001"]);
  assert.is(jsonl.out, '{"f":99999.5,"n":9007199254940992,"s":"r199999"}\n{"f":100000,"n":9007199254940993,"s":"r200000"}\n');
  for (const [file, label] of [[csvFile, "csv"], [pq, "parquet"]] as const) {
    const back = join(work, `big-from-${label}.zarr`);
    const r = ratzarr(["import", file, "-o", back, "--chunk-size", "40000", "--json"]);
    assert.is(r.status, 0, r.err);
    assert.is(JSON.parse(r.out).rows, BIG_ROWS);
    assert.is(r.err, "", "no warning: blocks of whole chunks");
    const again = join(work, `big-again-${label}.csv`);
    assert.is(ratzarr(["export", back, "-o", again]).status, 0);
    assert.ok(readFileSync(again, "utf8") === text, `${label} → RAT → CSV: the same text`);
  }
});

for (const server of s3Servers()) {
  const s3Env = { AWS_ENDPOINT_URL: server.endpoint, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: server.region, AWS_EC2_METADATA_DISABLED: "true" };
  test(`${server.name}: import to s3:// and export from it`, async () => {
    const bucket = `ratzarr-export-${process.pid}-${Date.now().toString(36)}`;
    await new S3Client({ ...clientConfig(server), maxAttempts: 3 }).send(new CreateBucketCommand({ Bucket: bucket }));
    const url = `s3://${bucket}/types.zarr`;
    const up = ratzarr(["import", join(work, "types.parquet"), "-o", url], s3Env);
    assert.is(up.status, 0, up.err);
    assert.is(ratzarr(["import", join(work, "types.parquet"), "-o", url], s3Env).status, 1, "refused: a RAT is there");
    const down = ratzarr(["export", url, "-o", "-"], s3Env);
    assert.is(down.status, 0, down.err);
    assert.is(down.out, readFileSync(join(work, "types.csv"), "utf8"));
    const pqFile = join(work, "from-s3.parquet");
    assert.is(ratzarr(["export", url, "-o", pqFile], s3Env).status, 0);
    assert.is(check("parquet", rat, pqFile), `row_groups 1\nok ${ROWS}`);
  });
}

test.run();
