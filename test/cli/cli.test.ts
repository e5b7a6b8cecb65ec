/**
 * The `ratzarr` command as a user runs it: the package is packed once (npm
 * pack runs the build), the tarball installed into an empty project, and
 * `npx ratzarr …` run there on a RAT the test writes with the installed
 * package. Every command, `--json`, `--help`, a usage error (exit 2), a
 * missing path (one line, exit 1, no stack) and `attrs --set/--delete`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installedCli, sampleRatScript } from "../helpers/installed-cli.js";

const work = mkdtempSync(join(tmpdir(), "ratzarr-cli-"));
const rat = join(work, "seg.zarr");

/** `npx ratzarr ...args` in the project where the packed tarball is installed. */
function ratzarr(...args: string[]): { status: number; out: string; err: string } {
  return installedCli().ratzarr(args);
}

test.before(() => {
  // The RAT, written with the installed package: 10 rows in chunks of 4, five columns.
  installedCli().script(sampleRatScript(rat, { provenance: { user: "alice", argv: ["make", "--tile 3"] } }));
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test("--help lists every command; <command> --help shows usage and an example", () => {
  const all = ratzarr("--help");
  assert.is(all.status, 0, all.err);
  for (const name of ["info", "head", "log", "attrs", "rm"]) assert.match(all.out, new RegExp(`^  ${name} +\\S`, "m"));
  assert.match(all.out, /Exit status: 0 done, 1 .*2 usage error/s);
  const one = ratzarr("head", "--help");
  assert.is(one.status, 0);
  assert.match(one.out, /^Usage: ratzarr head PATH/);
  assert.match(one.out, /Example:\n {2}\$ ratzarr head /);
  assert.match(one.out, /--json: /);
});

test("info: rows, chunk size, columns with types, widths, chunks, sizes, last change, attributes", () => {
  const r = ratzarr("info", rat);
  assert.is(r.status, 0, r.err);
  assert.match(r.out, /^rows +10$/m);
  assert.match(r.out, /^chunk size 4 rows/m);
  assert.match(r.out, /^chunks +12 stored of 15$/m);
  assert.match(r.out, /^modified +\S+ by alice/m);
  assert.match(r.out, /^ {2}title = "Segments"$/m);
  assert.match(r.out, /^rgb +uint8 +3 +4 +3\/3 +\d+ B /m);
  assert.match(r.out, /^ok +bool +1 +4 +0\/3 +0 B +- +- +bytes > zstd/m);
  const j = JSON.parse(ratzarr("info", rat, "--json").out);
  assert.is(j.rows, 10);
  assert.is(j.chunkSize, 4);
  assert.is(j.columnCount, 5);
  assert.equal(j.columns.map((c: { name: string }) => c.name), ["area", "big", "name", "ok", "rgb"]);
  const area = j.columns[0];
  assert.equal([area.dataType, area.width, area.chunkRows, area.chunksStored, area.chunksExpected, area.decodedBytes], ["float64", 1, 4, 3, 3, 96]);
  assert.is(area.codecs[0].name, "bytes");
  assert.ok(area.storedBytes > 0 && area.ratio > 0);
  assert.is(area.lastModified.user, "alice");
  assert.is(j.columns[3].lastModified, null);
  assert.is(j.attributes.title, "Segments");
  assert.is(j.storedBytes, j.columns.reduce((a: number, c: { storedBytes: number }) => a + c.storedBytes, 0));
});

test("head: an aligned table, strings quoted when they hold separators, width>1 per row; --json exact", () => {
  const r = ratzarr("head", rat, "--rows", "1:4", "--columns", "area,name,rgb,big");
  assert.is(r.status, 0, r.err);
  assert.is(r.out, [
    "row  area  name          rgb                          big",
    "  1   1.5  \"open water\"  [3, 4, 5]    1000000000000000001",
    "  2     3  \"\"            [6, 7, 8]    2000000000000000002",
    "  3   4.5  \"a,b\"         [9, 10, 11]  3000000000000000003",
    "",
  ].join("\n"));
  const def = ratzarr("head", rat);
  assert.is(def.out.trim().split("\n").length, 11, "a header and 10 rows by default");
  const j = JSON.parse(ratzarr("--json", "head", rat, "--rows", "8:").out);
  assert.equal([j.start, j.stop, j.rowCount], [8, 10, 10]);
  assert.equal(j.rows[1], { row: 9, area: 13.5, big: "9000000000000000009", name: "r", ok: false, rgb: [27, 28, 29] });
});

test("log: one line per writing session; --json per column", () => {
  const r = ratzarr("log", rat, "area");
  assert.is(r.status, 0, r.err);
  assert.match(r.out, /^time +column +user +command\n\S+ +area +alice +make "--tile 3"\n$/);
  const j = JSON.parse(ratzarr("log", rat, "--json").out);
  assert.equal(Object.keys(j.columns), ["area", "big", "name", "ok", "rgb"]);
  assert.equal(j.columns.ok, []);
  assert.equal(j.columns.rgb[0].argv, ["make", "--tile 3"]);
});

test("attrs: show, --set and --delete change the RAT and a column", () => {
  const set = ratzarr("attrs", rat, "--set", "classes=[1,2,5]", "--set", 'note="a, b"');
  assert.is(set.status, 0, set.err);
  assert.match(set.out, /^classes = \[1,2,5\]$/m);
  let j = JSON.parse(ratzarr("attrs", rat, "--json").out);
  assert.equal([j.classes, j.note, j.title, j.ROWCOUNT], [[1, 2, 5], "a, b", "Segments", 10]);
  const del = ratzarr("attrs", rat, "--delete", "note", "--json");
  assert.is(del.status, 0, del.err);
  j = JSON.parse(del.out);
  assert.not.ok("note" in j);
  assert.equal(j.classes, [1, 2, 5]);
  assert.is(ratzarr("attrs", rat, "area", "--set", 'units="m2"').status, 0);
  assert.is(JSON.parse(ratzarr("attrs", rat, "area", "--json").out).units, "m2");
  assert.is(JSON.parse(ratzarr("info", rat, "--json").out).columns[0].attributes.units, "m2");
  // Integers past 2^53 stay exact both ways (the library's JSON parser; --json writes them as decimal strings).
  assert.is(ratzarr("attrs", rat, "--set", "huge=12345678901234567890").status, 0);
  assert.match(ratzarr("attrs", rat).out, /^huge = 12345678901234567890$/m);
  assert.is(JSON.parse(ratzarr("attrs", rat, "--json").out).huge, "12345678901234567890");
  const managed = ratzarr("attrs", rat, "--set", "ROWCOUNT=3");
  assert.is(managed.status, 1);
  assert.match(managed.err, /^ratzarr: RAT: attribute "ROWCOUNT" is managed by ratzarr/);
  const notJson = ratzarr("attrs", rat, "--set", "title=hello");
  assert.is(notJson.status, 2);
  assert.match(notJson.err, /not JSON/);
});

test("usage errors exit 2; a missing RAT is one line, exit 1, no stack (--debug shows it)", () => {
  for (const args of [["head", rat, "--bogus"], ["info"], ["nope"], [], ["head", rat, "--rows", "5:2"]]) {
    const r = ratzarr(...args);
    assert.is(r.status, 2, `${args.join(" ")}: ${r.err}`);
    assert.is(r.out, "");
  }
  const missing = ratzarr("info", join(work, "missing.zarr"));
  assert.is(missing.status, 1);
  assert.is(missing.err, `ratzarr: "${join(work, "missing.zarr")}": no RAT here\n`);
  assert.is(missing.out, "");
  const debug = ratzarr("--debug", "info", join(work, "missing.zarr"));
  assert.is(debug.status, 1);
  assert.match(debug.err, /\n {4}at /);
});

test("verify: a clean RAT exits 0; a truncated chunk and a stray lock file are found, exit 1, one line each", () => {
  const clean = ratzarr("verify", rat);
  assert.is(clean.status, 0, clean.err);
  assert.match(clean.out, /: no problems \(\d+ columns, \d+ chunks/);
  const broken = join(work, "broken.zarr");
  execFileSync("cp", ["-r", rat, broken]);
  const chunk = join(broken, "RAT/area/c/0");
  writeFileSync(chunk, readFileSync(chunk).subarray(0, 5));
  writeFileSync(join(broken, "RAT/area/c/__1.ratzarr-lock"), JSON.stringify({ pid: 1, host: "elsewhere", time: Date.now() - 90_000 }));
  const r = ratzarr("verify", broken);
  assert.is(r.status, 1);
  assert.match(r.out, /^CHUNK-DECODE RAT\/area\/c\/0: /m);
  assert.match(r.out, /^LOCK-FILE RAT\/area\/c\/__1\.ratzarr-lock: /m);
  const j = r.out.trim() === "" ? [] : ratzarr("verify", broken, "--json").out.trim().split("\n").map((l) => JSON.parse(l) as { kind?: string });
  assert.equal(j.filter((x) => x.kind !== undefined).map((x) => x.kind).sort(), ["chunk-decode", "lock-file"]);
});

test("rm: removes a RAT (file:// too), refuses what is not one, --force on nothing", () => {
  const notRat = join(work, "plain");
  mkdirSync(notRat);
  writeFileSync(join(notRat, "data.txt"), "x");
  const refused = ratzarr("rm", notRat);
  assert.is(refused.status, 1);
  assert.match(refused.err, /not a RAT/);
  assert.ok(existsSync(join(notRat, "data.txt")));
  const r = ratzarr("rm", `file://${rat}`, "--json");
  assert.is(r.status, 0, r.err);
  assert.equal(JSON.parse(r.out), { path: `file://${rat}`, removed: true });
  assert.not.ok(existsSync(join(rat, "zarr.json")));
  assert.is(ratzarr("rm", rat).status, 1);
  assert.is(ratzarr("rm", rat, "--force").status, 0);
});

test.run();
