/**
 * The block applier against RIOS's ratapplier tests (rios/riostests/testratapplier.py),
 * ported where they make sense without GDAL rasters: a column squared into the same RAT
 * (testOutputSameFile) and into another (testDifferentOutput), a RAT reduced to its even
 * rows with the final trim (testReduceRat), a RAT made from nothing with a row count
 * (testNewRat), a new RAT whose chunk size divides the block length (testZarrOutput), a
 * column copied inside one RAT (testZarrInputOutput); then RIOS's chunk rule, lazy reads
 * counted at the store, and read-ahead.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MemoryStore } from "../../src/stores/memory.js";
import type { GetOptions, StoreOptions, VersionedValue } from "../../src/stores/store.js";
import { applyBlocks, BoundsError, RatZarr, ratChunkSize } from "../../src/node/index.js";
import { cleanup, tempRatPath } from "./helpers.js";

const quiet = { onWarning: () => undefined };
test.after.each(cleanup);

/** A memory store that logs every key it is asked for. */
class LoggingStore extends MemoryStore {
  readonly gotten: string[] = [];
  override get(key: string, options?: GetOptions): Promise<Uint8Array | undefined> {
    this.gotten.push(key);
    return super.get(key, options);
  }
  override getVersioned(key: string, options?: StoreOptions): Promise<VersionedValue | undefined> {
    this.gotten.push(key);
    return super.getVersioned(key, options);
  }
  count(prefix: string): number {
    return this.gotten.filter((k) => k.startsWith(prefix) && !k.endsWith("zarr.json")).length;
  }
}

const memRat = (store = new MemoryStore()) => RatZarr.open("mem", { store, ...quiet });

/** RIOS's makeTestFile RAT: column "Value" = row + 10, row 0 = 500 (int32). */
async function riosRat(rows = 100, chunk?: number, store = new MemoryStore()): Promise<RatZarr> {
  const rz = await memRat(store);
  if (chunk !== undefined) await rz.setChunkSize(chunk);
  await rz.setRowCount(rows);
  await rz.createColumn("Value", "int32");
  const v = Int32Array.from({ length: rows }, (_, i) => i + 10);
  v[0] = 500;
  await rz.writeBlock("Value", v, 0);
  return rz;
}

test("RIOS testOutputSameFile: sqrd = Value ** 2 into the same RAT, blocks of 5", async () => {
  const rz = await riosRat();
  const result = await applyBlocks(async (_s, inputs, outputs) => {
    const v = (await inputs["img"]!["Value"]!) as Int32Array;
    outputs["img"]!["sqrd"] = v.map((x) => x * x);
  }, { inputs: { img: rz }, outputs: { img: rz }, blockLen: 5 });
  assert.is(result.blocks, 20);
  const v = (await rz.readBlock("Value", 0, 100)) as Int32Array;
  assert.equal(await rz.readBlock("sqrd", 0, 100), v.map((x) => x * x));
  assert.is(await rz.getColumnDtype("sqrd"), "int32");
  assert.is(rz.getRowCount(), 100);
});

test("RIOS testDifferentOutput: into a new RAT, blocks of 3: created with the input's row count and a chunk of 3 rows (RIOS's rule)", async () => {
  const src = await riosRat();
  const store = new MemoryStore();
  await applyBlocks(async (_s, inputs, outputs) => {
    const v = (await inputs["img"]!["Value"]!) as Int32Array;
    outputs["outimg"]!["sqrd"] = v.map((x) => x * x);
  }, { inputs: { img: src }, outputs: { outimg: await memRat(store) }, blockLen: 3 });
  const out = await RatZarr.open("mem", { store, readOnly: true });
  const v = (await src.readBlock("Value", 0, 100)) as Int32Array;
  assert.equal(await out.readBlock("sqrd", 0, 100), v.map((x) => x * x));
  assert.is(out.getRowCount(), 100);
  assert.is(await out.getColumnChunkSize("sqrd"), 3);
});

for (const mode of ["equalsInput", "increment", { increment: 7 }, { fixed: 60 }] as const) {
  test(`RIOS testReduceRat (${JSON.stringify(mode)}): only even rows written, one after another; the row count is trimmed to the 50 rows written`, async () => {
    const src = await riosRat();
    const out = await memRat();
    const counts: number[] = [];
    await applyBlocks(async (state, inputs, outputs) => {
      const v = (await inputs["img"]!["Value"]!) as Int32Array;
      const rows = state.inputRows();
      outputs["outimg"]!["Value"] = v.filter((_, i) => rows[i]! % 2 === 0);
      counts.push(out.getRowCount());
    }, { inputs: { img: src }, outputs: { outimg: out }, blockLen: 3, rowCountMode: mode });
    const v = (await src.readBlock("Value", 0, 100)) as Int32Array;
    assert.is(out.getRowCount(), 50);
    assert.equal(await out.readBlock("Value", 0, 50), v.filter((_, i) => i % 2 === 0));
    // The row counts fn saw (writes run behind fn, so any prefix of the growth): only those RIOS's guess gives.
    const written = [0];
    for (let b = 0; b < 34; b++) written.push(written.at(-1)! + (b % 2 === 0 ? 2 : 1));
    const allowed = new Set([0]);
    let size = 0;
    for (let b = 0; b < 34; b++) {
      const need = written[b + 1]!;
      if (size < need) size = mode === "equalsInput" ? 100 : mode === "increment" ? need : "fixed" in mode ? mode.fixed : Math.max(need, written[b]! + mode.increment);
      allowed.add(size);
    }
    for (const c of counts) assert.ok(allowed.has(c), `row count ${c} seen during the run; RIOS's guesses are ${[...allowed].join(", ")}`);
    assert.ok(new Set(counts).size >= (typeof mode === "string" && mode === "increment" ? 10 : 2), `growth seen: ${[...new Set(counts)].join(", ")}`);
  });
}

test("RIOS testNewRat: no input, rowCount 256, blocks of 3: newCol = row number (uint32)", async () => {
  const out = await memRat();
  const seen: { blockIndex: number; startRow: number; blockLen: number; rowCount: number }[] = [];
  await applyBlocks((state, _inputs, outputs) => {
    seen.push({ blockIndex: state.blockIndex, startRow: state.startRow, blockLen: state.blockLen, rowCount: state.rowCount });
    outputs["outimg"]!["newCol"] = Uint32Array.from(state.inputRows());
  }, { outputs: { outimg: out }, rowCount: 256, blockLen: 3 });
  assert.is(seen.length, 86);
  assert.equal(seen[85], { blockIndex: 85, startRow: 255, blockLen: 1, rowCount: 256 });
  assert.equal(await out.readBlock("newCol", 0, 256), Uint32Array.from({ length: 256 }, (_, i) => i));
  assert.is(await out.getColumnDtype("newCol"), "uint32");
});

test("RIOS testZarrOutput: plus10 into a new RAT in blocks of 1000000: its chunk size (500000) divides the block length", async () => {
  const rows = 2_300_000;
  const src = await riosRat(rows, 250_000);
  const out = await memRat();
  await applyBlocks(async (_s, inputs, outputs) => {
    outputs["outimg"]!["plus10"] = ((await inputs["img"]!["Value"]!) as Int32Array).map((x) => x + 10);
  }, { inputs: { img: src }, outputs: { outimg: out }, blockLen: 1_000_000 });
  assert.is(out.getRATChunkSize(), 500_000);
  assert.is(await out.getColumnChunkSize("plus10"), 500_000);
  assert.equal(await out.readBlock("plus10", 0, rows), ((await src.readBlock("Value", 0, rows)) as Int32Array).map((x) => x + 10));
});

test("RIOS testZarrInputOutput: Value copied to Value2 in the same RAT on local disk, given twice as the same path", async () => {
  const path = tempRatPath();
  const rows = 1_000_000;
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(250_000);
  await rz.setRowCount(rows);
  await rz.createColumn("Value", "int32");
  await rz.writeBlock("Value", Int32Array.from({ length: rows }, (_, i) => i), 0);
  await rz.close();
  await applyBlocks(async (_s, inputs, outputs) => {
    outputs["therat"]!["Value2"] = await inputs["therat"]!["Value"]!;
  }, { inputs: { therat: path }, outputs: { therat: path }, blockLen: 250_000, open: quiet });
  const back = await RatZarr.open(path, { readOnly: true });
  assert.equal(await back.readBlock("Value2", 0, rows), Int32Array.from({ length: rows }, (_, i) => i));
  assert.is(await back.getColumnChunkSize("Value2"), 250_000);
});

test("chunk rule: RIOS's values, and a block length without a divisor in range is a BoundsError", () => {
  const cases: [number, number][] = [[1, 1], [5, 5], [99_999, 99_999], [100_000, 100_000], [150_000, 150_000], [999_999, 999_999], [1_000_000, 500_000], [2_000_000, 500_000], [3_000_000, 750_000], [5_000_000, 833_333 * 6 === 5_000_000 ? 833_333 : 625_000], [1_200_000, 600_000]];
  for (const [blockLen, chunk] of cases) assert.is(ratChunkSize(blockLen), chunk, `block length ${blockLen}`);
  // 1000003 is prime: no part between 100000 and 999999 rows divides it.
  assert.throws(() => ratChunkSize(1_000_003), (e: unknown) => e instanceof BoundsError && /block length 1000003/.test(e.message));
  // Every rule result divides the block length and is at most 999999 rows.
  for (let b = 100_000; b < 5_000_000; b += 77_777) {
    try {
      const c = ratChunkSize(b);
      assert.ok(b % c === 0 && c <= 999_999, `block length ${b}: chunk ${c}`);
    } catch (e) {
      assert.ok(e instanceof BoundsError, String(e));
    }
  }
});

test("lazy reads: only touched columns are read, each chunk once per block even when touched twice; the next block is read ahead while fn runs", async () => {
  const store = new LoggingStore();
  // The handle's own chunk read-ahead off: the reads counted are the applier's.
  const rz = await RatZarr.open("mem", { store, ...quiet, readAhead: 0 });
  await rz.setChunkSize(1000);
  await rz.setRowCount(10_000);
  for (const c of ["a", "b", "c"]) {
    await rz.createColumn(c, "float64");
    await rz.writeBlock(c, Float64Array.from({ length: 10_000 }, (_, i) => i), 0);
  }
  for (const readAhead of [true, false]) {
    store.gotten.length = 0;
    let aheadSeen = 0;
    const result = await applyBlocks(async (state, inputs, outputs) => {
      const a1 = await inputs["r"]!["a"]!;
      const a2 = await inputs["r"]!["a"]!;
      assert.is(a1, a2);
      if (state.blockIndex === 4) await inputs["r"]!["b"]!;
      // fn still runs: the next block of "a" has been asked for (read-ahead) or not.
      await new Promise((r) => setTimeout(r, 5));
      if (store.gotten.includes(`RAT/a/c/${state.blockIndex + 1}`)) aheadSeen++;
      outputs["r"]!["twice"] = (a1 as Float64Array).map((x) => 2 * x);
    }, { inputs: { r: rz }, outputs: { r: rz }, blockLen: 1000, readAhead });
    assert.is(store.count("RAT/c/"), 0, "column c never touched, never read");
    assert.is(store.count("RAT/b/"), readAhead ? 2 : 1, "b touched in block 4 only (read ahead for block 5, dropped)");
    for (let i = 0; i < 10; i++) assert.is(store.gotten.filter((k) => k === `RAT/a/c/${i}`).length, 1, `chunk ${i} of a read once`);
    assert.is(aheadSeen, readAhead ? 9 : 0);
    assert.is(result.reads, readAhead ? 12 : 11);
  }
  assert.equal(await rz.readBlock("twice", 0, 10_000), Float64Array.from({ length: 10_000 }, (_, i) => 2 * i));
});

test("declared columns: created before the first block with their type and width (bool, width 2); a Uint8Array goes into the bool column", async () => {
  const out = await memRat();
  await applyBlocks((state, _i, outputs) => {
    outputs["o"]!["flag"] = Uint8Array.from(state.inputRows(), (r) => r % 2);
    outputs["o"]!["pair"] = Float32Array.from({ length: 2 * state.blockLen }, (_, k) => state.startRow + k / 2);
  }, { outputs: { o: out }, rowCount: 25, blockLen: 10, columns: { o: { flag: { type: "bool" }, pair: { type: "float32", width: 2 }, never: { type: "int16" } } } });
  assert.is(await out.getColumnDtype("flag"), "bool");
  assert.is(await out.getColumnWidth("pair"), 2);
  assert.ok(await out.colExists("never"));
  assert.equal(await out.readBlock("flag", 0, 25), Uint8Array.from({ length: 25 }, (_, r) => r % 2));
  assert.is(((await out.readBlock("pair", 20, 5)) as Float32Array)[9], 24.5);
});

test("typed blocks: generic column types reach the function (compile-time), strings and int64 columns are created from their arrays", async () => {
  const out = await memRat();
  await applyBlocks<Record<string, never>, { o: { label: "string"; big: "int64" } }>((state, _i, outputs) => {
    outputs.o.label = Array.from(state.inputRows(), (r) => `row ${r}`);
    outputs.o.big = BigInt64Array.from(state.inputRows(), (r) => BigInt(r) * 10_000_000_000n);
  }, { outputs: { o: out }, rowCount: 7, blockLen: 3 });
  assert.equal(await out.readBlock("label", 5, 2), ["row 5", "row 6"]);
  assert.equal(await out.readBlock("big", 6, 1), BigInt64Array.of(60_000_000_000n));
});

test.run();
