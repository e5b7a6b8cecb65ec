/** What a new user meets in the first hour: alignment warnings that are right, messages in plain English, clear errors for broken files and bad arguments. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RatZarr, RatZarrError, BoundsError, MemoryStore, MetadataError } from "../../src/node/index.js";
import { RatZarr as CoreRatZarr } from "../../src/index.js";
import { rejects } from "./helpers.js";

/** A RAT in memory whose warnings land in `seen`. */
async function ratWithWarnings(rowCount: number, chunkSize?: number): Promise<{ rz: RatZarr; seen: string[] }> {
  const seen: string[] = [];
  const rz = await RatZarr.open(new MemoryStore(), { onWarning: (m) => seen.push(m) });
  if (chunkSize !== undefined) await rz.setChunkSize(chunkSize);
  await rz.setRowCount(rowCount);
  return { rz, seen };
}

const w = suite("first hour: alignment warnings");

w("one block covering the whole column (1.2 M rows, chunk 500000) warns nothing", async () => {
  const { rz, seen } = await ratWithWarnings(1_200_000);
  await rz.createColumn("a", "int8");
  await rz.writeBlock("a", new Int8Array(1_200_000), 0);
  assert.equal(seen, []);
});

w("aligned blocks with a short final block warn nothing", async () => {
  const { rz, seen } = await ratWithWarnings(25, 10);
  await rz.createColumn("a", "int32");
  await rz.writeBlock("a", new Int32Array(20), 0);
  await rz.writeBlock("a", new Int32Array(5), 20);
  // Two chunks and the ragged last one in one block: ends at the row count.
  await rz.writeBlock("a", new Int32Array(15), 10);
  assert.equal(seen, []);
});

w("a small RAT shorter than one chunk warns nothing, whatever the blocks; a big one-chunk RAT still does", async () => {
  const { rz, seen } = await ratWithWarnings(10);
  await rz.createColumn("a", "int32");
  await rz.writeBlock("a", Int32Array.from([1, 2, 3]), 0);
  await rz.writeBlock("a", Int32Array.from([4, 5, 6]), 3);
  await rz.writeBlock("a", Int32Array.from([7, 8, 9, 10]), 6);
  assert.equal(seen, []);
  assert.equal(await rz.readBlock("a", 0, 10), Int32Array.from({ length: 10 }, (_, i) => i + 1));
  const big = await ratWithWarnings(400_000);
  await big.rz.createColumn("a", "int8");
  await big.rz.writeBlock("a", new Int8Array(100), 1000);
  assert.is(big.seen.length, 1);
  assert.match(big.seen[0]!, /block of 100 rows is smaller than the chunk size 500000/);
});

w("blocks in the middle that are unaligned or small still warn", async () => {
  const unaligned = await ratWithWarnings(100, 10);
  await unaligned.rz.createColumn("a", "int32");
  await unaligned.rz.writeBlock("a", new Int32Array(15), 20);
  assert.is(unaligned.seen.length, 1);
  assert.match(unaligned.seen[0]!, /column "a": block of 15 rows at row 20 is not aligned to the chunk size 10/);
  // Aligned start, ragged end that is not the row count.
  const ragged = await ratWithWarnings(100, 10);
  await ragged.rz.createColumn("a", "int32");
  await ragged.rz.writeBlock("a", new Int32Array(25), 0);
  assert.is(ragged.seen.length, 1);
  assert.match(ragged.seen[0]!, /block of 25 rows at row 0 is not aligned/);
  const small = await ratWithWarnings(100, 10);
  await small.rz.createColumn("a", "int32");
  await small.rz.writeBlock("a", new Int32Array(3), 40);
  assert.is(small.seen.length, 1);
  assert.match(small.seen[0]!, /column "a": block of 3 rows is smaller than the chunk size 10/);
  // A short block at the end that does not start on a chunk is a partial chunk too.
  const tail = await ratWithWarnings(100, 10);
  await tail.rz.createColumn("a", "int32");
  await tail.rz.writeBlock("a", new Int32Array(5), 95);
  assert.is(tail.seen.length, 1);
  assert.match(tail.seen[0]!, /block of 5 rows at row 95 is not aligned/);
});

w.run();

const m = suite("first hour: messages and argument checks");

m("type errors use the right article", async () => {
  const rz = await RatZarr.open(new MemoryStore(), { onWarning: () => undefined });
  await rz.setRowCount(3);
  await rz.createColumn("i", "int32");
  await rz.createColumn("f", "float64");
  await rejects(() => rz.writeBlock("i", [1, 2, 3] as never, 0), BoundsError, /data type int32 needs an Int32Array, got an Array/);
  await rejects(() => rz.writeBlock("f", new Uint8Array(3) as never, 0), BoundsError, /needs a Float64Array, got a Uint8Array/);
  await rejects(() => rz.writeBlock("f", { length: 3 } as never, 0), BoundsError, /needs a Float64Array, got an object/);
  await rejects(() => rz.writeBlock("f", undefined as never, 0), BoundsError, /needs a Float64Array, got undefined/);
});

m("a string column given numbers fails with the type error before any warning", async () => {
  const { rz, seen } = await ratWithWarnings(100, 10);
  await rz.createColumn("s", "string");
  const e = await rejects(() => rz.writeBlock("s", [1, 2, 3] as never, 40), BoundsError, /column "s": a string column needs strings, got a number at row 40/);
  assert.is((e as BoundsError).code, "type");
  // Too many numbers for the row count: still the type error, the clearer of the two.
  await rejects(() => rz.writeBlock("s", new Array(200).fill(1) as never, 0), BoundsError, /needs strings, got a number at row 0/);
  assert.equal(seen, []);
});

m("a RAT/zarr.json that is not JSON is a MetadataError naming the file, not \"holds no RAT\"", async () => {
  const store = new MemoryStore();
  await (await RatZarr.open(store)).close();
  store.data.set("RAT/zarr.json", new TextEncoder().encode('{"attributes": {"ROWCOUNT": 3,'));
  const e = await rejects(() => RatZarr.open(store), MetadataError, /RAT\/zarr.json/);
  assert.is((e as MetadataError).file, "RAT/zarr.json");
  assert.is((e as MetadataError).code, "metadata");
  assert.not.match(e.message, /holds no RAT/);
  // isValidRatZarr still answers the question asked: not a valid RAT.
  assert.not.ok(await RatZarr.isValidRatZarr(store));
});

m("RatZarr.open with no path, null or a number is a RatZarrError saying what a path may be", async () => {
  for (const bad of [undefined, null, 42, {}]) {
    const e = await rejects(() => RatZarr.open(bad as never), RatZarrError, /a RAT path must be a string .* or a Store, got /);
    assert.is((e as RatZarrError).code, "invalid");
  }
  await rejects(() => RatZarr.exists(undefined as never), RatZarrError, /a RAT path must be/);
});

m("the unsupported-scheme error lists what the platform can open", async () => {
  const node = await rejects(() => RatZarr.open("ftp://host/rat.zarr"), RatZarrError, /unsupported scheme "ftp:\/\/"/);
  assert.match(node.message, /file:\/\//);
  assert.match(node.message, /s3:\/\//);
  const web = await rejects(() => CoreRatZarr.open("ftp://host/rat.zarr"), RatZarrError, /unsupported scheme "ftp:\/\/"/, /a store/);
  assert.not.match(web.message, /file:\/\//);
  assert.not.match(web.message, /s3:\/\//);
});

m.run();
