/**
 * GDAL exchange (src/gdal): a RAT exported as GDAL's XML and read by GDAL
 * itself (`gdalinfo`, `band.GetDefaultRAT()` in the system Python's osgeo),
 * a RAT written by GDAL imported here, and the parts that need no GDAL
 * (type mapping, warnings, streaming, malformed files).
 *
 * GDAL comes from scripts/gdal.sh (Debian's gdal-bin and python3-gdal): this
 * file runs it first. Only when GDAL cannot be installed here are the GDAL
 * tests skipped, with the reason scripts/gdal.sh wrote.
 */
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { MemoryStore, RatZarr, RatZarrError, type ArrayFor, type DataType } from "../../src/node/index.js";
import { exportAuxXml, exportVrt, importAuxXml } from "../../src/gdal/index.js";
import { GDAL_USAGES, type GdalUsage } from "../../src/rat/gdal-meaning.js";
import { rejects } from "../rat/helpers.js";

const root = join(import.meta.dirname, "../..");
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), "ratzarr-gdal-"));
  dirs.push(d);
  return d;
};
const memoryRat = () => RatZarr.open(new MemoryStore());
async function toText(rat: RatZarr, options: Parameters<typeof exportAuxXml>[2] = {}): Promise<{ text: string; warnings: string[] }> {
  let text = "";
  const warnings: string[] = [];
  await exportAuxXml(rat, (s) => { text += s; }, { onWarning: (m) => warnings.push(m), ...options });
  return { text, warnings };
}

// ---- GDAL available? ----

execFileSync("bash", [join(root, "scripts/gdal.sh")], { stdio: "inherit" });
const missingFile = join(root, ".runtimes/gdal.missing");
const gdalMissing = existsSync(missingFile) ? readFileSync(missingFile, "utf8").trim() : undefined;
// Outside CI a machine without root or apt may skip (and says so); in CI (CI=true) GDAL must be there.
const skipGdal = gdalMissing !== undefined && process.env["CI"] !== "true";
if (skipGdal) console.log(`GDAL tests skipped: GDAL could not be installed here (${gdalMissing})`);

/** Run a Python script in the system Python (osgeo) and parse the JSON it prints. */
function python<T>(script: string, ...args: string[]): T {
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, ...args], { encoding: "utf8" })) as T;
}

/** GDAL's own reading of band 1's RAT: values as strings (reals as Python repr, exact). */
const DUMP = `
import json, sys
from osgeo import gdal
gdal.UseExceptions()
ds = gdal.Open(sys.argv[1])
rat = ds.GetRasterBand(1).GetDefaultRAT()
if rat is None:
    print(json.dumps(None)); sys.exit(0)
n = rat.GetColumnCount()
fields = [{"name": rat.GetNameOfCol(c), "type": rat.GetTypeOfCol(c), "usage": rat.GetUsageOfCol(c)} for c in range(n)]
def value(r, c):
    t = rat.GetTypeOfCol(c)
    if t == gdal.GFT_Integer: return rat.GetValueAsInt(r, c)
    if t == gdal.GFT_Real: return repr(rat.GetValueAsDouble(r, c))
    return rat.GetValueAsString(r, c)
binning = rat.GetLinearBinning()
print(json.dumps({"tableType": rat.GetTableType(), "binning": list(binning), "fields": fields,
                  "rows": [[value(r, c) for c in range(n)] for r in range(rat.GetRowCount())]}))
ds = None
`;
interface GdalDump {
  tableType: number;
  binning: [boolean, number, number];
  fields: { name: string; type: number; usage: number }[];
  rows: (number | string)[][];
}

const pyReal = (s: string): number => (s === "nan" ? NaN : s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s));

// ---- a RAT with one column of every kind ----

const N = 300;
const stringAt = (i: number): string => ["", "  leading spaces", "tail  ", "a\nb\r\nc\td", "<&>\"'", "日本語 😀", "x".repeat(1000), `ctl\u0001\u001f`][i % 8]! + (i % 8 === 0 ? "" : String(i));
const realAt = (i: number): number => [0.1, -0, NaN, Infinity, -Infinity, 1e300, 5e-324, 0.30000000000000004, -123.456, 2 ** 53 + 2][i % 10]! * (i % 10 < 7 ? 1 : i);

async function kitchenSink(rat: RatZarr): Promise<void> {
  await rat.setChunkSize(64);
  await rat.setRowCount(N);
  const cols: [string, DataType, (i: number) => number | bigint | string, GdalUsage][] = [
    ["Value", "int32", (i) => i * 3 - 5, "MinMax"],
    ["Count", "uint32", (i) => (i === 7 ? 2 ** 31 - 1 : i * 1000), "PixelCount"],
    ["Label", "string", stringAt, "Name"],
    ["Area", "float64", realAt, "Generic"],
    ["Ratio", "float32", (i) => Math.fround(i / 7), "Generic"],
    ["Red", "uint8", (i) => i % 256, "Red"],
    ["Green", "int16", (i) => (i * 7) % 256, "Green"],
    ["Blue", "int8", (i) => i % 128, "Blue"],
    ["Alpha", "uint16", () => 255, "Alpha"],
    ["Flag", "bool", (i) => i % 3 === 0 ? 1 : 0, "Generic"],
    ["Lo", "int64", (i) => BigInt(i * 10), "Min"],
    ["Hi", "uint64", (i) => BigInt(i * 10 + 9), "Max"],
  ];
  for (const [name, dtype, f, usage] of cols) {
    await rat.createColumn(name, dtype as never);
    const block = dtype === "string" ? Array.from({ length: N }, (_, i) => f(i) as string) : dtype === "int64" ? BigInt64Array.from({ length: N }, (_, i) => f(i) as bigint) : dtype === "uint64" ? BigUint64Array.from({ length: N }, (_, i) => f(i) as bigint) : arrayOf(dtype, Array.from({ length: N }, (_, i) => f(i) as number));
    await rat.writeBlock(name, block, 0);
    await rat.setColumnUsage(name, usage);
  }
  await rat.setTableType("athematic");
  await rat.setLinearBinning(-0.5, 1);
}

function arrayOf(dtype: DataType, values: number[]): ArrayFor<DataType> {
  const ctor = { bool: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array }[dtype as "int8"];
  return ctor.from(values);
}

/** What GDAL should read for column `name` at row `i` of the kitchen sink (its `DUMP` form). */
async function expectedCells(rat: RatZarr, names: string[]): Promise<(number | string)[][]> {
  const blocks = await Promise.all(names.map((n) => rat.readBlock(n, 0, N)));
  const dtypes = await Promise.all(names.map((n) => rat.getColumnDtype(n)));
  return Array.from({ length: N }, (_, i) => blocks.map((b, c) => {
    const dt = dtypes[c]!;
    if (dt === "string") return (b as string[])[i]!;
    if (dt === "float32" || dt === "float64") return (b as Float64Array)[i]!;
    return Number((b as ArrayLike<number | bigint>)[i]!);
  }));
}

const GFT = { int32: 0, uint32: 0, string: 2, float64: 1, float32: 1, uint8: 0, int16: 0, int8: 0, uint16: 0, bool: 0, int64: 0, uint64: 0 } as Record<string, number>;

function assertCell(got: number | string, want: number | string, where: string): void {
  if (typeof want === "number" && typeof got === "string") {
    const g = pyReal(got);
    assert.ok(Object.is(g, want), `${where}: GDAL read ${got}, expected ${want}`);
  } else {
    assert.is(got, want, where);
  }
}

// ---- no GDAL needed ----

const t = suite("gdal: export and import, mapping, warnings, streaming");

t("export: GDAL's shape (FieldDefn Name/Type/Usage, Row index / F, Row0Min, BinSize, tableType); import reads it back exactly", async () => {
  const rat = await memoryRat();
  await kitchenSink(rat);
  const { text, warnings } = await toText(rat, { columns: ["Value", "Label", "Area", "Flag"] });
  assert.ok(text.startsWith('<PAMDataset>\n  <PAMRasterBand band="1">\n    <GDALRasterAttributeTable Row0Min="-0.5" BinSize="1" tableType="athematic">\n      <FieldDefn index="0">\n        <Name>Value</Name>\n        <Type typeAsString="Integer">0</Type>\n        <Usage usageAsString="MinMax">5</Usage>\n      </FieldDefn>\n'), text.slice(0, 400));
  assert.match(text, /<Row index="1">\n {8}<F>-2<\/F>\n {8}<F>&#32;&#32;leading spaces1<\/F>\n {8}<F>-0<\/F>\n {8}<F>0<\/F>\n {6}<\/Row>/);
  assert.ok(text.endsWith("    </GDALRasterAttributeTable>\n  </PAMRasterBand>\n</PAMDataset>\n"));
  assert.equal(warnings, []);
  const back = await memoryRat();
  const summary = await importAuxXml(text, back, { blockLen: 50 });
  assert.equal(summary.fields.map((f) => [f.name, f.type, f.usage, f.dtype]), [["Value", "Integer", "MinMax", "int32"], ["Label", "String", "Name", "string"], ["Area", "Real", "Generic", "float64"], ["Flag", "Integer", "Generic", "int32"]]);
  assert.is(back.getRowCount(), N);
  assert.is(await back.getTableType(), "athematic");
  assert.equal(await back.getLinearBinning(), { row0Min: -0.5, binSize: 1 });
  assert.is(await back.getColumnUsage("Value"), "MinMax");
  assert.equal(await expectedCells(back, ["Value", "Label", "Area", "Flag"]), await expectedCells(rat, ["Value", "Label", "Area", "Flag"]));
});

t("export warns for what GDAL cannot hold: int64 beyond int32 (clamped), width > 1 (left out), NUL, long strings, colour usage on a Real", async () => {
  const rat = await memoryRat();
  await rat.setRowCount(3);
  await rat.createColumn("big", "int64");
  await rat.writeBlock("big", BigInt64Array.from([1n, -(2n ** 40n), 2n ** 40n]), 0);
  await rat.createColumn("u32", "uint32");
  await rat.writeBlock("u32", Uint32Array.from([1, 2 ** 32 - 1, 0]), 0);
  await rat.createColumn("wide", "int8", { width: 2 });
  await rat.createColumn("s", "string");
  await rat.writeBlock("s", ["a\u0000b", "é".repeat(40_000), "ok"], 0);
  await rat.createColumn("r", "float64");
  await rat.setColumnUsage("r", "Red");
  const { text, warnings } = await toText(rat);
  assert.equal(warnings, [
    'column "r": usage Red makes GDAL read the column as Integer; its float64 values will be cut to whole numbers by GDAL',
    'column "wide": width 2; a GDAL RAT field holds one value per row, so the column is left out',
    'column "s": row 0 holds a NUL character, which GDAL strings cannot hold; it is left out',
    `column "big": row 1 holds -1099511627776, outside GDAL's 32-bit Integer; written as -2147483648 (export with wideIntegers: "real" to keep it as a double)`,
    'column "s": row 1 holds a string of more than 65535 UTF-8 bytes; GDAL reads it from .aux.xml, but GDAL formats with fixed-width strings (HFA, the .vat.dbf of ArcGIS) cut it',
    `column "u32": row 1 holds 4294967295, outside GDAL's 32-bit Integer; written as 2147483647 (export with wideIntegers: "real" to keep it as a double)`,
  ]);
  assert.not.match(text, /<Name>wide<\/Name>/);
  assert.match(text, /<F>2147483647<\/F>/);
  // wideIntegers "real": doubles, warned only where a double is not exact; booleans "boolean": GDAL 3.12's type 3.
  const real = await toText(rat, { columns: ["big", "u32"], wideIntegers: "real" });
  assert.match(real.text, /<Name>big<\/Name>\n\s*<Type typeAsString="Real">1<\/Type>/);
  assert.match(real.text, /<F>-1099511627776<\/F>\n\s*<F>4294967295<\/F>/);
  assert.equal(real.warnings, []);
  await rat.createColumn("flag", "bool");
  await rat.writeBlock("flag", Uint8Array.from([1, 0, 1]), 0);
  const b = await toText(rat, { columns: ["flag"], booleans: "boolean", form: "table" });
  assert.ok(b.text.startsWith('<GDALRasterAttributeTable tableType="thematic">\n  <FieldDefn index="0">\n    <Name>flag</Name>\n    <Type typeAsString="Boolean">3</Type>'), b.text);
  assert.match(b.text, /<F>true<\/F>\n {2}<\/Row>\n {2}<Row index="1">\n {4}<F>false<\/F>/);
  const back = await memoryRat();
  await importAuxXml(b.text, back);
  assert.is(await back.getColumnDtype("flag"), "bool");
  assert.equal([...(await back.readBlock("flag", 0, 3) as Uint8Array)], [1, 0, 1]);
});

t("export streams: rows reach the sink while later blocks are still unread", async () => {
  const rat = await memoryRat();
  const n = 200_000;
  await rat.setChunkSize(10_000);
  await rat.setRowCount(n);
  await rat.createColumn("v", "int32");
  await rat.writeBlock("v", Int32Array.from({ length: n }, (_, i) => i), 0);
  let reads = 0;
  const readBlock = rat.readBlock.bind(rat);
  rat.readBlock = (async (...a: Parameters<typeof readBlock>) => {
    reads++;
    return readBlock(...a);
  }) as typeof rat.readBlock;
  const readsAtSink: number[] = [];
  let largest = 0;
  let total = 0;
  await exportAuxXml(rat, (s) => {
    readsAtSink.push(reads);
    largest = Math.max(largest, s.length);
    total += s.length;
  }, { blockLen: 10_000 });
  assert.is(reads, 20);
  assert.ok(readsAtSink.length > 3, `${readsAtSink.length} sink calls`);
  assert.ok(readsAtSink[1]! < 20, `first rows sunk after ${readsAtSink[1]} of 20 block reads`);
  assert.ok(largest < 2 << 20 && total > 8 << 20, `largest piece ${largest} of ${total} characters`);
});

t("import streams from a Node read stream in small pieces, in blocks of the chunk size", async () => {
  const rat = await memoryRat();
  await kitchenSink(rat);
  const { text } = await toText(rat, { columns: ["Value", "Label", "Area"] });
  const file = join(tempDir(), "t.aux.xml");
  writeFileSync(file, text);
  const back = await RatZarr.open(new MemoryStore());
  await back.setChunkSize(40);
  const writes: number[] = [];
  const writeBlock = back.writeBlock.bind(back);
  back.writeBlock = (async (name: string, block: ArrayFor<DataType>, start: number) => {
    if (name === "Value") writes.push(start);
    return writeBlock(name, block, start);
  }) as typeof back.writeBlock;
  await importAuxXml(createReadStream(file, { highWaterMark: 1000 }), back);
  assert.equal(writes, [0, 40, 80, 120, 160, 200, 240, 280]);
  assert.equal(await expectedCells(back, ["Value", "Label", "Area"]), await expectedCells(rat, ["Value", "Label", "Area"]));
});

t("import: band choice, and files it refuses with a clear message", async () => {
  const table = (band: number, name: string) => `<PAMRasterBand band="${band}"><GDALRasterAttributeTable><FieldDefn index="0"><Name>${name}</Name><Type>0</Type><Usage>0</Usage></FieldDefn><Row index="0"><F>${band}</F></Row></GDALRasterAttributeTable></PAMRasterBand>`;
  const two = `<PAMDataset>${table(1, "one")}${table(2, "two")}</PAMDataset>`;
  const r2 = await memoryRat();
  await importAuxXml(two, r2, { band: 2 });
  assert.equal(await r2.getColumnNames(), ["two"]);
  assert.equal([...(await r2.readBlock("two", 0, 1) as Int32Array)], [2]);
  const r1 = await memoryRat();
  await importAuxXml(two, r1);
  assert.equal(await r1.getColumnNames(), ["one"]);
  await rejects(async () => importAuxXml(two, await memoryRat(), { band: 3 }), RatZarrError, /no GDALRasterAttributeTable for band 3/);
  const bad: [string, RegExp][] = [
    ["<GDALRasterAttributeTable><Row index=\"0\"/><FieldDefn><Name>a</Name></FieldDefn></GDALRasterAttributeTable>", /a FieldDefn after the first Row/],
    ["<GDALRasterAttributeTable><FieldDefn><Name>a</Name><Type>0</Type></FieldDefn><Row index=\"1\"><F>1</F></Row></GDALRasterAttributeTable>", /Row index="1" where row 0 comes next/],
    ["<GDALRasterAttributeTable><FieldDefn><Name>a</Name><Type>0</Type></FieldDefn><Row><F>1</F><F>2</F></Row></GDALRasterAttributeTable>", /row 0 has 2 F values for 1 fields/],
    ["<GDALRasterAttributeTable><FieldDefn><Name>a</Name><Type>0</Type></FieldDefn><Row><F>1.5</F></Row></GDALRasterAttributeTable>", /field "a" row 0: "1.5" is not a 32-bit integer/],
    ["<GDALRasterAttributeTable><FieldDefn><Name>a</Name><Type>0</Type></FieldDefn><Row><F>3000000000</F></Row></GDALRasterAttributeTable>", /"3000000000" is not a 32-bit integer/],
    ["<GDALRasterAttributeTable><FieldDefn><Name>a</Name><Type>1</Type></FieldDefn><Row><F>1,5</F></Row></GDALRasterAttributeTable>", /"1,5" is not a number/],
    ["<GDALRasterAttributeTable><FieldDefn><Name>a</Name></FieldDefn><FieldDefn><Name>a</Name></FieldDefn></GDALRasterAttributeTable>", /two FieldDefn named "a"/],
    ["<PAMDataset/>", /no GDALRasterAttributeTable in the file/],
    ["<GDALRasterAttributeTable><Row></GDALRasterAttributeTable>", /<\/GDALRasterAttributeTable> closes <Row>/],
  ];
  for (const [xml, re] of bad) await rejects(async () => importAuxXml(xml, await memoryRat()), RatZarrError, re);
  const full = await memoryRat();
  await full.setRowCount(1);
  await rejects(() => importAuxXml(two, full), RatZarrError, /has 1 rows; import into an empty RAT/);
  const taken = await memoryRat();
  await taken.createColumn("one", "int8");
  await rejects(() => importAuxXml(two, taken), RatZarrError, /column "one" already exists/);
});

t("import as GDAL reads: missing Type is Real, bad Type String, bad Usage Generic (warned), colours Integer, DateTime as text, fewer F default", async () => {
  const xml = `<GDALRasterAttributeTable tableType="ATHEMATIC" Row0Min="1" BinSize="0">
    <FieldDefn index="0"><Name>noType</Name></FieldDefn>
    <FieldDefn index="1"><Name>badType</Name><Type>9</Type><Usage>42</Usage></FieldDefn>
    <FieldDefn index="2"><Name>red</Name><Type>1</Type><Usage>6</Usage></FieldDefn>
    <FieldDefn index="3"><Name>when</Name><Type>4</Type><Usage>0</Usage></FieldDefn>
    <Row index="0"><F>2.5</F><F>x</F><F>7</F><F>2024-01-02T03:04:05</F></Row>
    <Row index="1"><F>nan</F></Row>
  </GDALRasterAttributeTable>`;
  const rat = await memoryRat();
  const warnings: string[] = [];
  const s = await importAuxXml(xml, rat, { onWarning: (m) => warnings.push(m) });
  assert.equal(s.fields.map((f) => [f.name, f.type, f.usage, f.dtype]), [["noType", "Real", "Generic", "float64"], ["badType", "String", "Generic", "string"], ["red", "Real", "Red", "int32"], ["when", "DateTime", "Generic", "string"]]);
  assert.equal(warnings, [
    'importAuxXml: linear binning Row0Min="1" BinSize="0" is not a finite start and a size above 0; not kept',
    'importAuxXml: field "badType" has Type "9", which is no GDAL field type; read as String (as GDAL does)',
    'importAuxXml: field "badType" has Usage "42", which is no GDAL usage; read as Generic (as GDAL does)',
    'importAuxXml: field "when" is a GDAL DateTime, which a Zarr RAT has no type for; kept as its text in a string column',
  ]);
  assert.is(await rat.getTableType(), "athematic");
  assert.is(await rat.getLinearBinning(), undefined);
  assert.equal([...(await rat.readBlock("noType", 0, 2) as Float64Array)], [2.5, NaN]);
  assert.equal(await rat.readBlock("badType", 0, 2), ["x", ""]);
  assert.equal([...(await rat.readBlock("red", 0, 2) as Int32Array)], [7, 0]);
  assert.equal(await rat.readBlock("when", 0, 2), ["2024-01-02T03:04:05", ""]);
});

t("export refuses bad options before writing anything", async () => {
  const rat = await memoryRat();
  let wrote = "";
  const sink = (s: string) => { wrote += s; };
  await rejects(() => exportAuxXml(rat, sink, { form: "vrt" as never }), RatZarrError, /form must be "pam" or "table", got "vrt"/);
  await rejects(() => exportAuxXml(rat, sink, { band: 0 }), RatZarrError, /band must be a positive integer, got 0/);
  await rejects(() => exportAuxXml(rat, sink, { blockLen: 0, form: "table" }), RatZarrError, /blockLen must be a positive integer, got 0/);
  await rejects(() => exportVrt(rat, sink, { path: "a.tif", width: 0, height: 1, dataType: "Byte" }), RatZarrError, /raster width must be a positive integer, got 0/);
  // Checked before the first byte, for the PAM and VRT wrappers too.
  await rejects(() => exportAuxXml(rat, sink, { columns: ["nope"] }), RatZarrError, /column "nope" does not exist/);
  await rejects(() => exportVrt(rat, sink, { path: "a.tif", width: 1, height: 1, dataType: "Byte" }, { columns: ["a", "a"] }), RatZarrError, /columns names a column twice/);
  assert.is(wrote, "");
});

t.after(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
t.run();

// ---- against GDAL itself ----

const g = suite("gdal: against GDAL itself (gdalinfo, osgeo GetDefaultRAT)");
const gt = skipGdal ? (g.skip as unknown as typeof g) : g;

function makeTiff(dir: string, name = "r.tif"): string {
  const tif = join(dir, name);
  execFileSync("gdal_create", ["-q", "-of", "GTiff", "-outsize", "8", "8", "-bands", "1", "-ot", "Byte", tif]);
  return tif;
}

gt("our .aux.xml beside a GeoTIFF: gdalinfo shows every column, type, usage and value", async () => {
  const rat = await memoryRat();
  await kitchenSink(rat);
  // gdalinfo prints values through its own writers (JSON numbers at 16 digits; bare nan): the exact check is GetDefaultRAT's below.
  const names = ["Value", "Count", "Ratio", "Red", "Green", "Blue", "Alpha", "Flag", "Lo", "Hi"];
  const dir = tempDir();
  const tif = makeTiff(dir);
  writeFileSync(`${tif}.aux.xml`, (await toText(rat, { columns: names })).text);
  const info = JSON.parse(execFileSync("gdalinfo", ["-json", tif], { encoding: "utf8" })) as { rat?: { tableType: string; row0Min: number; binSize: number; fieldDefn: { index: number; name: string; type: number; usage: number }[]; row: { index: number; f: (number | string)[] }[] } };
  const r = info.rat!;
  assert.ok(r, "gdalinfo -json shows a RAT");
  assert.is(r.tableType, "athematic");
  assert.equal([r.row0Min, r.binSize], [-0.5, 1]);
  const usages = await Promise.all(names.map((n) => rat.getColumnUsage(n)));
  const dtypes = await Promise.all(names.map((n) => rat.getColumnDtype(n)));
  assert.equal(r.fieldDefn, names.map((name, index) => ({ index, name, type: GFT[dtypes[index]!], usage: GDAL_USAGES.indexOf(usages[index]!) })));
  const want = await expectedCells(rat, names);
  assert.is(r.row.length, N);
  r.row.forEach((row, i) => {
    assert.is(row.index, i);
    row.f.forEach((v, c) => {
      const w = want[i]![c] as number;
      if (dtypes[c] === "float32") assert.ok(Math.abs((v as number) - w) <= Math.abs(w) * 1e-15, `${names[c]} row ${i}: ${v} vs ${w}`);
      else assert.is(v, w, `${names[c]} row ${i}`);
    });
  });
  // The text form too: gdalinfo prints the table as GDAL's XML; read it with our reader.
  const textInfo = execFileSync("gdalinfo", [tif], { encoding: "utf8" });
  const xml = textInfo.slice(textInfo.indexOf("<GDALRasterAttributeTable"), textInfo.indexOf("</GDALRasterAttributeTable>") + 27);
  const back = await memoryRat();
  const s = await importAuxXml(xml, back);
  assert.equal(s.fields.map((f) => f.name), names);
  assert.equal(await expectedCells(back, ["Value", "Count", "Lo", "Hi"]), await expectedCells(rat, ["Value", "Count", "Lo", "Hi"]));
});

gt("our .aux.xml read by band.GetDefaultRAT(): every type, usage and value exact (NaN, -0, inf, 5e-324, controls, leading spaces, unicode)", async () => {
  const rat = await memoryRat();
  await kitchenSink(rat);
  const names = await rat.getColumnNames();
  const dir = tempDir();
  const tif = makeTiff(dir);
  const { text, warnings } = await toText(rat);
  assert.equal(warnings, []);
  writeFileSync(`${tif}.aux.xml`, text);
  const d = python<GdalDump>(DUMP, tif);
  assert.is(d.tableType, 1, "GRTT_ATHEMATIC");
  assert.equal(d.binning, [true, -0.5, 1]);
  const dtypes = await Promise.all(names.map((n) => rat.getColumnDtype(n)));
  const usages = await Promise.all(names.map((n) => rat.getColumnUsage(n)));
  assert.equal(d.fields, names.map((name, c) => ({ name, type: GFT[dtypes[c]!], usage: GDAL_USAGES.indexOf(usages[c]!) })));
  const want = await expectedCells(rat, names);
  assert.is(d.rows.length, N);
  d.rows.forEach((row, i) => row.forEach((v, c) => assertCell(v, want[i]![c]!, `${names[c]} row ${i}`)));
});

gt("a VRT band carrying the RAT: GDAL sees the table on the VRT's band", async () => {
  const rat = await memoryRat();
  await kitchenSink(rat);
  const dir = tempDir();
  makeTiff(dir, "src.tif");
  let vrt = "";
  await exportVrt(rat, (s) => { vrt += s; }, { path: "src.tif", width: 8, height: 8, dataType: "Byte" }, { columns: ["Value", "Label", "Area"] });
  writeFileSync(join(dir, "r.vrt"), vrt);
  const d = python<GdalDump>(DUMP, join(dir, "r.vrt"));
  assert.equal(d.fields, [{ name: "Value", type: 0, usage: 5 }, { name: "Label", type: 2, usage: 2 }, { name: "Area", type: 1, usage: 0 }]);
  const want = await expectedCells(rat, ["Value", "Label", "Area"]);
  d.rows.forEach((row, i) => row.forEach((v, c) => assertCell(v, want[i]![c]!, `row ${i} col ${c}`)));
  assert.equal(d.binning, [true, -0.5, 1]);
  // And the pixels still come from the source raster.
  assert.match(execFileSync("gdalinfo", ["-checksum", join(dir, "r.vrt")], { encoding: "utf8" }), /Checksum=0/);
});

const WRITE_WITH_GDAL = `
import sys
from osgeo import gdal
gdal.UseExceptions()
ds = gdal.GetDriverByName("GTiff").Create(sys.argv[1], 8, 8, 1, gdal.GDT_Byte)
rat = gdal.RasterAttributeTable()
n = 1000
usages = list(range(18))
for u in usages:
    t = [gdal.GFT_Integer, gdal.GFT_Real, gdal.GFT_String][u % 3]
    rat.CreateColumn("col%02d" % u, t, u)
rat.SetRowCount(n)
reals = [0.1, -0.0, float("nan"), float("inf"), -float("inf"), 1e300, 5e-324, 1/3, 2.0**60, -7.25]
strings = ["", "  two leading", "tail  ", "multi\\nline\\r\\nend", "<&>\\"'", "日本語 😀", "ctl\\x01\\x1f", "x" * 500]
for r in range(n):
    for c in range(18):
        t = rat.GetTypeOfCol(c)
        if t == gdal.GFT_Integer: rat.SetValueAsInt(r, c, [r, -r, 2147483647, -2147483648][(r + c) % 4] if c % 2 else r * c)
        elif t == gdal.GFT_Real: rat.SetValueAsDouble(r, c, reals[(r + c) % len(reals)] * (1 if r % 2 else r))
        else: rat.SetValueAsString(r, c, strings[(r + c) % len(strings)] + ("" if r % 8 == 0 else str(r)))
rat.SetTableType(gdal.GRTT_ATHEMATIC)
rat.SetLinearBinning(-10.25, 0.125)
ds.GetRasterBand(1).SetDefaultRAT(rat)
ds = None
`;

gt("a RAT written by GDAL (.aux.xml) imported here reads back exactly: types, usages, values, tableType, binning; and goes back to GDAL unchanged", async () => {
  const dir = tempDir();
  const tif = join(dir, "gdal.tif");
  execFileSync("/usr/bin/python3", ["-c", WRITE_WITH_GDAL, tif]);
  const aux = `${tif}.aux.xml`;
  assert.ok(existsSync(aux), "GDAL wrote the .aux.xml");
  const d = python<GdalDump>(DUMP, tif);
  assert.is(d.fields.length, 18);
  const path = join(dir, "imported.zarr");
  const rat = await RatZarr.open(path);
  await rat.setChunkSize(300);
  const summary = await importAuxXml(createReadStream(aux, { highWaterMark: 4096 }), rat);
  assert.equal(summary.warnings, []);
  await rat.close();
  const back = await RatZarr.open(path, { readOnly: true });
  assert.is(back.getRowCount(), d.rows.length);
  assert.is(await back.getTableType(), d.tableType === 1 ? "athematic" : "thematic");
  assert.equal(await back.getLinearBinning(), { row0Min: d.binning[1], binSize: d.binning[2] });
  const names = d.fields.map((f) => f.name);
  assert.equal(await back.getColumnNames(), [...names].sort());
  for (const [c, f] of d.fields.entries()) {
    // GDAL makes colour columns (usages 6-9) Integer whatever type was asked for: so does the import.
    assert.is(await back.getColumnDtype(f.name), ["int32", "float64", "string"][f.type], f.name);
    assert.is(await back.getColumnUsage(f.name), GDAL_USAGES[f.usage], f.name);
    const values = await back.readBlock(f.name, 0, back.getRowCount());
    d.rows.forEach((row, i) => {
      const v = (values as ArrayLike<number | string>)[i]!;
      assertCell(row[c]!, v, `${f.name} row ${i}`);
    });
  }
  // Back to GDAL in GDAL's column order: GDAL reads what it wrote.
  const tif2 = makeTiff(dir, "again.tif");
  let text = "";
  await exportAuxXml(back, (s) => { text += s; }, { columns: names });
  writeFileSync(`${tif2}.aux.xml`, text);
  assert.equal(python<GdalDump>(DUMP, tif2), d);
  await back.close();
});

g.after(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
g.run();
