/**
 * RatZarr with write-behind and read-ahead on local disk: what a handle
 * writes in the background is there after close (and after flush, for
 * another handle), a deleted column does not come back from pending
 * writes, a shrink waits for them, failures surface from flush/close naming
 * the column and chunk, and a sequential reader gets the right rows.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RatZarr, RatZarrError } from "../../src/node/index.js";
import { cleanup, rejects, tempRatPath } from "./helpers.js";

const quiet = { onWarning: () => undefined };
const values = (n: number, from: number) => Float64Array.from({ length: n }, (_, i) => (from + i) * 0.25);

test.after.each(cleanup);

/** A new RAT of `rows` rows in chunks of `chunk`, opened with write-behind, with float64 columns `names`. */
async function withColumns(writeBehind: number, chunk: number, rows: number, names: string[]) {
  const path = tempRatPath();
  const rz = await RatZarr.open(path, { ...quiet, writeBehind });
  await rz.setChunkSize(chunk);
  await rz.setRowCount(rows);
  for (const n of names) await rz.createColumn(n, "float64");
  return { path, rz };
}

test("write-behind: unaligned blocks of two columns are all stored by close; flush lets another handle see them", async () => {
  const { path, rz } = await withColumns(3, 1000, 10_000, ["a"]);
  await rz.createColumn("names", "string");
  for (let s = 0; s < 10_000; s += 700) {
    const n = Math.min(700, 10_000 - s);
    await rz.writeBlock("a", values(n, s), s);
    await rz.writeBlock("names", Array.from({ length: n }, (_, i) => `row ${s + i} é`), s);
  }
  await rz.flush();
  const other = await RatZarr.open(path, { readOnly: true });
  assert.equal(await other.readBlock("a", 0, 10_000), values(10_000, 0));
  assert.is((await other.readBlock("names", 9_999, 1))[0], "row 9999 é");
  await other.close();
  await rz.writeBlock("a", values(10, 50_000), 5);
  await rz.close();
  const again = await RatZarr.open(path, { readOnly: true });
  assert.equal(await again.readBlock("a", 0, 20), Float64Array.from([...values(5, 0), ...values(10, 50_000), ...values(5, 15)]));
  assert.is((await again.getModificationLog("a")).length, 1);
  await again.close();
});

test("write-behind: deleting a column or shrinking the RAT waits for pending writes first", async () => {
  const { path, rz } = await withColumns(4, 100, 1000, ["gone", "kept"]);
  for (let s = 0; s < 1000; s += 30) {
    const n = Math.min(30, 1000 - s);
    await rz.writeBlock("gone", values(n, s), s);
    await rz.writeBlock("kept", values(n, s), s);
  }
  await rz.deleteColumn("gone");
  await rz.setRowCount(450);
  await rz.close();
  assert.not.ok(existsSync(join(path, "RAT", "gone")), "no chunk of the deleted column came back");
  const chunks = readdirSync(join(path, "RAT", "kept", "c")).sort((x, y) => Number(x) - Number(y));
  assert.equal(chunks, ["0", "1", "2", "3", "4"]);
  const again = await RatZarr.open(path, { readOnly: true });
  assert.equal(await again.readBlock("kept", 0, 450), values(450, 0));
  await again.close();
});

test("write-behind: a failed background write surfaces from flush and close, naming the column's chunk", async () => {
  const { path, rz } = await withColumns(8, 100, 400, ["a"]);
  await rz.writeBlock("a", values(100, 0), 0);
  await rz.flush();
  // The chunk folder's path taken by a file (root ignores permissions): storing chunks 1 and 2 must fail.
  rmSync(join(path, "RAT", "a", "c"), { recursive: true, force: true });
  writeFileSync(join(path, "RAT", "a", "c"), "not a folder");
  await rz.writeBlock("a", values(200, 100), 100);     // resolves: the write goes on in the background
  const e = await rejects(() => rz.flush(), RatZarrError, /RAT\/a\/c\/[12]/, /write-behind/);
  assert.ok(e.cause !== undefined, "the store's error is the cause");
  rmSync(join(path, "RAT", "a", "c"));
  await rz.writeBlock("a", values(100, 300), 300);
  await rz.close();
  const again = await RatZarr.open(path, { readOnly: true });
  assert.equal(await again.readBlock("a", 300, 100), values(100, 300));
  await again.close();
});

test("read-ahead: sequential, backwards and skipping readers all get the right rows; readAhead 0 too", async () => {
  const path = tempRatPath();
  const w = await RatZarr.open(path, quiet);
  await w.setChunkSize(100);
  await w.setRowCount(1000);
  await w.createColumn("a", "float64", { width: 2 });
  const all = Float64Array.from({ length: 2000 }, (_, i) => i / 8);
  await w.writeBlock("a", all, 0);
  await w.close();
  for (const readAhead of [0, 1, 3]) {
    const r = await RatZarr.open(path, { readOnly: true, readAhead });
    for (let s = 0; s < 1000; s += 100) assert.equal(await r.readBlock("a", s, 100), all.subarray(2 * s, 2 * s + 200));
    for (let s = 900; s >= 0; s -= 150) assert.equal(await r.readBlock("a", s, 70), all.subarray(2 * s, 2 * s + 140));
    for (let s = 0; s < 1000; s += 333) assert.equal(await r.readBlock("a", s, 90), all.subarray(2 * s, 2 * Math.min(1000, s + 90)));
    await r.close();
  }
});

test.run();
