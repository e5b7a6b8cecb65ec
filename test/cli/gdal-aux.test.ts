/**
 * `ratzarr export --format gdal-aux` and `ratzarr import FILE.aux.xml` as a
 * user runs them (the installed package), checked by GDAL itself: the
 * exported `.aux.xml` beside a GeoTIFF made by `gdal_create` is what
 * `gdalinfo -json` shows, and importing it back gives the same values,
 * usages, table type and binning.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installedCli } from "../helpers/installed-cli.js";

const root = join(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "ratzarr-cli-gdal-"));
const rat = join(work, "classes.zarr");
const tif = join(work, "classes.tif");

// scripts/run-tests.ts installs GDAL (scripts/gdal.sh); outside CI a machine that cannot skips, and says so.
const missingFile = join(root, ".runtimes/gdal.missing");
const missing = existsSync(missingFile) ? readFileSync(missingFile, "utf8").trim() : undefined;
const skip = missing !== undefined && process.env["CI"] !== "true";
if (skip) console.log(`test/cli/gdal-aux skipped: GDAL could not be installed here (${missing})`);

test.before(() => {
  if (skip) return;
  installedCli().script(`
    import { RatZarr } from "ratzarr";
    const rz = await RatZarr.open(${JSON.stringify(rat)});
    await rz.setRowCount(5);
    await rz.createColumn("count", "int32");
    await rz.writeBlock("count", Int32Array.from([0, 10, 20, 30, 40]), 0);
    await rz.createColumn("name", "string");
    await rz.writeBlock("name", ["nodata", "forest", "water, deep", "urban <dense>", ""], 0);
    await rz.createColumn("mean", "float64");
    await rz.writeBlock("mean", Float64Array.from([0, 0.5, NaN, 1e300, -2.25]), 0);
    await rz.createColumn("big", "int64");
    await rz.writeBlock("big", BigInt64Array.from([0n, 1n, 2n, 3n, 5000000000n]), 0);
    await rz.setColumnUsage("count", "PixelCount");
    await rz.setColumnUsage("name", "Name");
    await rz.setTableType("athematic");
    await rz.setLinearBinning(-0.5, 1);
    await rz.close();
  `);
  execFileSync("gdal_create", ["-of", "GTiff", "-outsize", "4", "4", "-bands", "1", "-ot", "Byte", tif], { stdio: "pipe" });
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test("export --format gdal-aux beside a GeoTIFF: gdalinfo shows every column, type, usage and value; int64 past 32 bits is a warning", () => {
  if (skip) return;
  const cli = installedCli();
  const r = cli.ratzarr(["export", rat, "-o", `${tif}.aux.xml`]);
  assert.is(r.status, 0, r.err);
  assert.match(r.out, /5 rows → .*classes\.tif\.aux\.xml \(gdal-aux, \d+ bytes\)/);
  assert.match(r.err, /warning: .*big.*32/);
  // gdalinfo -json spells a NaN value as a bare nan, which JSON has not: read it as null.
  const text = execFileSync("gdalinfo", ["-json", tif], { encoding: "utf8" }).replace(/([[,:]\s*)nan(?=\s*[,\]\n])/g, "$1null");
  type Rat = { tableType: string; row0Min: number; binSize: number; fieldDefn: { name: string; type: number; usage: number }[]; row: { f: unknown[] }[] };
  // GDAL 3.6 puts the band's table at the top of the JSON ("rat"); later versions may put it on the band.
  const info = JSON.parse(text) as { rat?: Rat; bands: { rat?: Rat }[] };
  const table = info.rat ?? info.bands[0]!.rat!;
  assert.ok(table !== undefined, text.slice(0, 300));
  assert.is(table.tableType, "athematic");
  assert.is(table.row0Min, -0.5);
  assert.is(table.binSize, 1);
  // GDAL's numbering: types Integer 0, Real 1, String 2; usages Generic 0, PixelCount 1, Name 2.
  assert.equal(table.fieldDefn.map((f) => [f.name, f.type, f.usage]), [["big", 0, 0], ["count", 0, 1], ["mean", 1, 0], ["name", 2, 2]]);
  assert.equal(table.row.map((r) => r.f[1]), [0, 10, 20, 30, 40]);
  assert.equal(table.row.map((r) => r.f[3]), ["nodata", "forest", "water, deep", "urban <dense>", ""]);
  assert.equal(table.row.map((r) => r.f[2]), [0, 0.5, null, 1e300, -2.25]);
});

test("import of the .aux.xml: the same values, usages, table type and binning; --type and --rows are usage errors", () => {
  if (skip) return;
  const cli = installedCli();
  const back = join(work, "back.zarr");
  const r = cli.ratzarr(["import", `${tif}.aux.xml`, "-o", back, "--json"]);
  assert.is(r.status, 0, r.err);
  const summary = JSON.parse(r.out) as { rows: number; format: string; types: Record<string, string> };
  assert.is(summary.rows, 5);
  assert.is(summary.format, "gdal-aux");
  assert.equal(summary.types, { big: "int32", count: "int32", mean: "float64", name: "string" });
  const seen = JSON.parse(cli.script(`
    import { RatZarr } from "ratzarr";
    const rz = await RatZarr.open(${JSON.stringify(back)}, { readOnly: true });
    const out = { tableType: await rz.getTableType(), binning: await rz.getLinearBinning(), usages: {}, values: {} };
    for (const c of await rz.getColumnNames()) {
      out.usages[c] = await rz.getColumnUsage(c);
      out.values[c] = Array.from(await rz.readBlock(c, 0, 5), (v) => (typeof v === "number" && Number.isNaN(v) ? "NaN" : v));
    }
    console.log(JSON.stringify(out));
  `)) as { tableType: string; binning: { row0Min: number; binSize: number }; usages: Record<string, string>; values: Record<string, unknown[]> };
  assert.is(seen.tableType, "athematic");
  assert.equal(seen.binning, { row0Min: -0.5, binSize: 1 });
  assert.equal(seen.usages, { big: "Generic", count: "PixelCount", mean: "Generic", name: "Name" });
  assert.equal(seen.values["count"], [0, 10, 20, 30, 40]);
  assert.equal(seen.values["mean"], [0, 0.5, "NaN", 1e300, -2.25]);
  assert.equal(seen.values["name"], ["nodata", "forest", "water, deep", "urban <dense>", ""]);
  const typed = cli.ratzarr(["import", `${tif}.aux.xml`, "-o", join(work, "x.zarr"), "--type", "count=int64"]);
  assert.is(typed.status, 2);
  assert.match(typed.err, /--type: gdal-aux states each column's type itself/);
  const rows = cli.ratzarr(["export", rat, "-o", join(work, "y.tif.aux.xml"), "--rows", "0:2"]);
  assert.is(rows.status, 2);
  assert.not.ok(existsSync(join(work, "y.tif.aux.xml")));
});

test.run();
