/**
 * `verifyRat` and `ratzarr verify`: clean RATs (written by this library and by
 * zarr-python, the committed fixtures) have no problems; each deliberately
 * broken RAT is found with the right kind and key.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { RatZarr, ZarrArray } from "../../src/node/index.js";
import { FileSystemStore } from "../../src/stores/fs.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { type Problem, verifyRat } from "../../src/cli/verify.js";
import { formatProblem, verifyCommand } from "../../src/cli/commands/verify.js";
import type { CommandContext } from "../../src/cli/command.js";
import { silentProgress } from "../../src/cli/progress.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { cleanup, tempRatPath } from "../rat/helpers.js";
import { StaticServer } from "../helpers/http-server.js";

const t = suite("verify");
t.after.each(cleanup);

const quiet = { onWarning: () => undefined };
const FIXTURES = join(import.meta.dirname, "../../spec-tests/fixtures/arrays");

/**
 * A RAT of 10 rows in chunks of 4, written by this library: int32 "a", float64 "b", string "s",
 * 2-d uint16 "w" (width 2), and two arrays made with ZarrArray.create: "crc" (bytes + crc32c)
 * and "raw" (bytes alone, so every chunk has one exact size).
 */
async function cleanRat(): Promise<string> {
  const path = tempRatPath();
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  await rz.createColumn("a", "int32");
  await rz.createColumn("b", "float64");
  await rz.createColumn("s", "string");
  await rz.createColumn("w", "uint16", { width: 2 });
  await rz.writeBlock("a", Int32Array.from({ length: 10 }, (_, i) => i + 1), 0);
  await rz.writeBlock("b", Float64Array.from({ length: 10 }, (_, i) => i / 3), 0);
  await rz.writeBlock("s", Array.from({ length: 10 }, (_, i) => `row ${i} é🌍`), 0);
  await rz.writeBlock("w", Uint16Array.from({ length: 20 }, (_, i) => i + 1), 0);
  await rz.close();
  const store = new FileSystemStore(path);
  for (const [name, codecs] of [["crc", [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }]], ["raw", [{ name: "bytes", configuration: { endian: "little" } }]]] as const) {
    const arr = await ZarrArray.create(store, `RAT/${name}`, { shape: [10], dataType: "int32", chunkShape: [4], codecs, attributes: { MODIFICATIONLOG: [] } });
    await arr.write(0, Int32Array.from({ length: 10 }, (_, i) => 100 + i));
  }
  return path;
}

/** A zarr-python fixture copied to a temporary folder. */
function fixtureCopy(name: string): string {
  const path = tempRatPath();
  cpSync(join(FIXTURES, name, "data.zarr"), path, { recursive: true });
  return path;
}

const verify = (path: string, now?: number) => verifyRat(new FileSystemStore(path, { readOnly: true }), now === undefined ? {} : { now: () => now });
const kinds = (ps: readonly Problem[]) => ps.map((p) => `${p.kind} ${p.key}`).sort();
const editJson = (file: string, change: (doc: Record<string, unknown>) => void) => {
  const doc = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  change(doc);
  writeFileSync(file, JSON.stringify(doc));
};

/** A fake dispatcher context that captures the output. */
function context(argv: string[], json = false) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CommandContext = { argv, json, signal: new AbortController().signal, out: (s) => void out.push(s), err: (s) => void err.push(s), interactive: false, progress: () => silentProgress };
  return { ctx, out, err };
}

t("a clean RAT written by this library has no problems; progress counts every chunk", async () => {
  const path = await cleanRat();
  const seen: number[] = [];
  const problems = await verifyRat(new FileSystemStore(path), { onProgress: (p) => seen.push(p.chunksDone) });
  assert.equal(problems, []);
  // a, b, s, w, crc, raw: 3 chunks each.
  assert.is(seen.at(-1), 18);
  assert.is(seen[0], 0);
});

t("a clean RAT in a MemoryStore has no problems (no folder to walk)", async () => {
  const store = new MemoryStore();
  const rz = await RatZarr.open(store, quiet);
  await rz.setRowCount(5);
  await rz.createColumn("x", "int64");
  await rz.writeBlock("x", BigInt64Array.from([1n, 2n, 3n, 4n, 5n]), 0);
  await rz.close();
  assert.equal(await verifyRat(store), []);
});

for (const name of ["rat", "zarr30_rat", "ratzarr_py"]) {
  t(`the RAT written by zarr-python (fixture ${name}) has no problems`, async () => {
    assert.equal(await verify(fixtureCopy(name)), []);
  });
}

t("a truncated chunk: chunk-decode for a compressed column, chunk-size for plain bytes", async () => {
  const path = await cleanRat();
  for (const col of ["a", "raw"]) {
    const file = join(path, "RAT", col, "c", "1");
    writeFileSync(file, readFileSync(file).subarray(0, 7));
  }
  const problems = await verify(path);
  assert.equal(kinds(problems), ["chunk-decode RAT/a/c/1", "chunk-size RAT/raw/c/1"]);
  const size = problems.find((p) => p.kind === "chunk-size")!;
  assert.equal(size.numbers, { stored: 7, expected: 16 });
  assert.match(size.message, /stored 7 bytes.*exactly 16/);
});

t("a wrong ROWCOUNT: every column named, with both numbers", async () => {
  const path = await cleanRat();
  editJson(join(path, "RAT", "zarr.json"), (doc) => {
    (doc["attributes"] as Record<string, unknown>)["ROWCOUNT"] = 12;
  });
  const problems = await verify(path);
  assert.equal(kinds(problems), ["a", "b", "crc", "raw", "s", "w"].map((c) => `rowcount RAT/${c}/zarr.json`));
  assert.equal(problems[0]!.numbers, { rows: 10, rowCount: 12 });
  assert.match(problems[0]!.message, /has 10 rows, ROWCOUNT .* is 12/);
});

t("no ROWCOUNT (Python ratzarr before 1.0.2): columns are held to the first column's length", async () => {
  const path = await cleanRat();
  editJson(join(path, "RAT/zarr.json"), (doc) => {
    delete (doc["attributes"] as Record<string, unknown>)["ROWCOUNT"];
  });
  assert.equal(await verify(path), []);
  editJson(join(path, "RAT/s/zarr.json"), (doc) => {
    doc["shape"] = [9];
  });
  const problems = await verify(path);
  assert.equal(kinds(problems), ["rowcount RAT/s/zarr.json"]);
  assert.equal(problems[0]!.numbers, { rows: 9, rowCount: 10 });
});

t("an orphan chunk past the grid, in either dimension", async () => {
  const path = await cleanRat();
  cpSync(join(path, "RAT/a/c/0"), join(path, "RAT/a/c/7"));
  cpSync(join(path, "RAT/w/c/0/0"), join(path, "RAT/w/c/0/1"));
  const problems = await verify(path);
  assert.equal(kinds(problems), ["orphan-chunk RAT/a/c/7", "orphan-chunk RAT/w/c/0/1"]);
  const a = problems.find((p) => p.key === "RAT/a/c/7")!;
  assert.equal(a.numbers, { dimension: 0, index: 7, chunks: 3 });
});

t("a lock file and a temporary file left by a crashed writer, with their age", async () => {
  const path = await cleanRat();
  const time = Date.now() - 60_000;
  writeFileSync(join(path, "RAT/a/c/__0.ratzarr-lock"), JSON.stringify({ pid: 999999, host: hostname(), time }));
  writeFileSync(join(path, "RAT/b/__zarr.json.0123456789ab.ratzarr-tmp"), "half a zarr.json");
  // Not one of the store's own names (no 12 hex digits): a stray key, which the store lists.
  writeFileSync(join(path, "RAT/b/c/0.tmp"), "x");
  const now = Date.now();
  const problems = await verify(path, now);
  assert.equal(kinds(problems), ["lock-file RAT/a/c/__0.ratzarr-lock", "stray-file RAT/b/c/0.tmp", "temp-file RAT/b/__zarr.json.0123456789ab.ratzarr-tmp"]);
  const lock = problems.find((p) => p.kind === "lock-file")!;
  assert.match(lock.message, /pid 999999/);
  // Aged from the record's time, not from the file's.
  assert.is(lock.numbers!["ageMs"], now - time);
  assert.match(lock.message, /60\.0 s old/);
  const temp = problems.find((p) => p.kind === "temp-file")!;
  assert.is(temp.numbers!["bytes"], 16);
});

t("a bad crc32c: one flipped byte is a checksum problem", async () => {
  const path = await cleanRat();
  const file = join(path, "RAT/crc/c/2");
  const bytes = readFileSync(file);
  bytes[1] = bytes[1]! ^ 0x40;
  writeFileSync(file, bytes);
  const problems = await verify(path);
  assert.equal(kinds(problems), ["checksum RAT/crc/c/2"]);
  assert.match(problems[0]!.message, /checksum mismatch/);
});

t("a malformed zarr.json: of a column, of the RAT group, of the root", async () => {
  const path = await cleanRat();
  writeFileSync(join(path, "RAT/b/zarr.json"), "{not json");
  editJson(join(path, "RAT/s/zarr.json"), (doc) => {
    doc["shape"] = [10, -1];
  });
  let problems = await verify(path);
  assert.equal(kinds(problems), ["metadata RAT/b/zarr.json", "metadata RAT/s/zarr.json"]);
  writeFileSync(join(path, "zarr.json"), JSON.stringify({ zarr_format: 2 }));
  editJson(join(path, "RAT/zarr.json"), (doc) => {
    (doc["attributes"] as Record<string, unknown>)["ROWCOUNT"] = -3;
  });
  problems = await verify(path);
  assert.equal(kinds(problems), ["metadata RAT/b/zarr.json", "metadata RAT/s/zarr.json", "metadata RAT/zarr.json", "metadata zarr.json"]);
  assert.match(problems.find((p) => p.key === "RAT/zarr.json")!.message, /ROWCOUNT.*-3/);
});

t("a malformed modification log entry is named by its index", async () => {
  const path = await cleanRat();
  editJson(join(path, "RAT/a/zarr.json"), (doc) => {
    const attrs = doc["attributes"] as Record<string, unknown>;
    const log = attrs["MODIFICATIONLOG"] as unknown[];
    attrs["MODIFICATIONLOG"] = [...log, ["2024-01-01T00:00:00+00:00", 3, []], ["yesterday", "me", ["x"]]];
  });
  const problems = await verify(path);
  assert.equal(kinds(problems), ["log-entry RAT/a/zarr.json", "log-entry RAT/a/zarr.json"]);
  assert.equal(problems.map((p) => p.numbers!["entry"]), [1, 2]);
});

t("stray files: beside the root, in the RAT group, in a column", async () => {
  const path = await cleanRat();
  writeFileSync(join(path, "README"), "x");
  writeFileSync(join(path, "RAT/notes.txt"), "x");
  writeFileSync(join(path, "RAT/a/c/0.bak"), "x");
  const problems = await verify(path);
  assert.equal(kinds(problems), ["stray-file RAT/a/c/0.bak", "stray-file RAT/notes.txt", "stray-file README"]);
});

t("command: a clean RAT prints a summary and exits 0", async () => {
  const path = await cleanRat();
  const { ctx, out } = context([path]);
  assert.is(await verifyCommand.run(ctx), 0);
  assert.equal(out, [`${path}: no problems (6 columns, 18 chunks (${out[0]!.match(/\((\d+) bytes\)/)![1]} bytes) checked)\n`]);
});

t("command: problems one per line (KIND key: message), exit 1; --json one object per line", async () => {
  const path = await cleanRat();
  const file = join(path, "RAT/crc/c/0");
  const bytes = readFileSync(file);
  bytes[0] = bytes[0]! ^ 1;
  writeFileSync(file, bytes);
  writeFileSync(join(path, "RAT/stray"), "x");
  const text = context([path]);
  assert.is(await verifyCommand.run(text.ctx), 1);
  assert.is(text.out.length, 3);
  assert.match(text.out[0]!, /^CHECKSUM RAT\/crc\/c\/0: codec crc32c, chunk "RAT\/crc\/c\/0": checksum mismatch/);
  assert.match(text.out[1]!, /^STRAY-FILE RAT\/stray: /);
  assert.match(text.out[2]!, /: 2 problems \(6 columns, 18 chunks/);
  const json = context([path], true);
  assert.is(await verifyCommand.run(json.ctx), 1);
  const lines = json.out.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.slice(0, 2).map((l) => [l["kind"], l["key"]]), [["checksum", "RAT/crc/c/0"], ["stray-file", "RAT/stray"]]);
  assert.equal((lines[2]!["summary"] as Record<string, unknown>)["problems"], 2);
  assert.is(formatProblem({ kind: "orphan-chunk", key: "RAT/a/c/9", message: "m", statement: "F-5.8" }), "ORPHAN-CHUNK RAT/a/c/9: m (F-5.8)");
  // Each line and each JSON object names the statement of docs/FORMAT.md the problem breaks.
  assert.match(text.out[0]!, / \(F-6\.7\)\n$/);
  assert.match(text.out[1]!, / \(F-2\.7\)\n$/);
  assert.equal(lines.slice(0, 2).map((l) => l["statement"]), ["F-6.7", "F-2.7"]);
});

t("command: an https-style URL is opened read-only through the library's locations (an S3-style listing server)", async () => {
  const path = await cleanRat();
  const file = join(path, "RAT/crc/c/1");
  const bytes = readFileSync(file);
  bytes[3] = bytes[3]! ^ 0x10;
  writeFileSync(file, bytes);
  const server = await StaticServer.start(path, { mount: "/bucket", listing: true });
  try {
    const { ctx, out } = context([server.url("")]);
    assert.is(await verifyCommand.run(ctx), 1);
    assert.match(out[0]!, /^CHECKSUM RAT\/crc\/c\/1: /);
    assert.match(out[1]!, /: 1 problem \(6 columns, 18 chunks/);
  } finally {
    await server.close();
  }
});

t("command: nothing at the path, or a wrong command line, is an error", async () => {
  const missing = join(tempRatPath(), "nothing");
  try {
    await verifyCommand.run(context([missing]).ctx);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /nothing at/);
  }
  try {
    await verifyCommand.run(context([]).ctx);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, /missing PATH/);
  }
  try {
    await verifyCommand.run(context(["a", "b"]).ctx);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UsageError);
  }
});

t.run();
