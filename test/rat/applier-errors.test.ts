/**
 * The block applier's edges: errors that name RATs, columns and numbers; abort; progress;
 * a failure that still stores the blocks the function had finished; partitions of one
 * process writing one RAT with unaligned blocks (conditional writes of shared chunks);
 * partitionFromEnv; copyRat.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CountingStore } from "../helpers/counting-store.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { applyBlocks, BoundsError, copyRat, partitionBlocks, partitionFromEnv, partitionVariables, RatZarr, RatZarrError } from "../../src/node/index.js";
import { cleanup, rejects, tempRatPath } from "./helpers.js";

const quiet = { onWarning: () => undefined };
test.after.each(cleanup);

const memRat = (store: MemoryStore = new MemoryStore()) => RatZarr.open("mem", { store, ...quiet });

async function ratWith(rows: number, columns: Record<string, (i: number) => number>, chunk = 1000, store: MemoryStore = new MemoryStore()): Promise<RatZarr> {
  const rz = await memRat(store);
  await rz.setChunkSize(chunk);
  await rz.setRowCount(rows);
  for (const [name, f] of Object.entries(columns)) {
    await rz.createColumn(name, "float64");
    await rz.writeBlock(name, Float64Array.from({ length: rows }, (_, i) => f(i)), 0);
  }
  return rz;
}

test("inputs of different row counts: a RatZarrError naming both RATs and both counts", async () => {
  const a = await ratWith(10, { x: (i) => i });
  const path = tempRatPath("b.zarr");
  const b = await RatZarr.open(path, quiet);
  await b.setRowCount(12);
  const e = await rejects(() => applyBlocks(() => undefined, { inputs: { a, b } }), RatZarrError, /"a" \(mem\) has 10 rows/, /"b" \(.*b\.zarr\) has 12/);
  assert.is((e as RatZarrError).code, "bounds");
});

test("argument and block errors name the output, column, block and numbers", async () => {
  const src = await ratWith(30, { x: (i) => i });
  const fresh = await memRat();
  const run = (fn: Parameters<typeof applyBlocks>[0], extra: Parameters<typeof applyBlocks>[1] = {}) => applyBlocks(fn, { inputs: { s: src }, outputs: { o: src }, blockLen: 10, ...extra });
  await rejects(() => run(async (_s, i, o) => {
    o["o"]!["p"] = await i["s"]!["x"]!;
    o["o"]!["q"] = new Float64Array(9);
  }), BoundsError, /block 0 \(input rows 0 to 9\): column "q" has 9 rows but column "p" has 10/);
  await rejects(() => run((_s, _i, o) => {
    o["o"]!["p"] = [1, 2, 3] as unknown as string[];
  }), BoundsError, /column "p".*a string column needs strings/);
  await rejects(() => run((_s, _i, o) => {
    (o["o"] as Record<string, unknown>)["p"] = { length: 3 };
  }), BoundsError, /output "o", column "p": a block must be a typed array.*got an object/);
  await rejects(() => run((_s, i) => void i["nope"]), RatZarrError, /no input RAT named "nope" \(inputs: "s"\)/);
  await rejects(() => run((_s, _i, o) => {
    o["o"]!["x"] = new Int32Array(10);
  }), BoundsError, /column "x": data type float64 needs a Float64Array, got a Int32Array/);
  await rejects(() => run(() => undefined, { columns: { o: { x: { type: "float64", width: 2 } } } }), BoundsError, /output "o" \(RAT "mem"\), column "x": exists as float64 of width 1, but the applier writes float64 of width 2/);
  await rejects(() => run(() => undefined, { columns: { p: { x: { type: "float64" } } } }), RatZarrError, /columns.p: no output RAT of that name \(outputs: "o"\)/);
  await rejects(() => run((_s, _i, o) => {
    o["o"]!["y"] = new Float64Array(10);
  }, { rowCountMode: { fixed: 15 }, outputs: { o: fresh } }), BoundsError, /block 1 writes 10 rows at output row 10, past the row count 15/);
  await rejects(() => applyBlocks(() => undefined, { outputs: { o: src } }), RatZarrError, /no inputs and no rowCount/);
  await rejects(() => run(() => undefined, { rowCountMode: "increment", partition: { index: 0, count: 2 } }), RatZarrError, /rowCountMode "increment" needs one job/);
  await rejects(() => run(() => undefined, { partition: { index: 2, count: 2 } }), RatZarrError, /partition index must be an integer from 0 to 1 \(count 2\), got 2/);
  await rejects(() => run(() => undefined, { blockLen: 0 }), RatZarrError, /blockLen must be an integer >= 1, got 0/);
  await rejects(() => run(() => undefined, { rowCountMode: "bigger" as never }), RatZarrError, /rowCountMode must be/);
  await rejects(() => run((s, _i, o) => {
    if (s.blockIndex === 1) o["o"]!["z"] = new Float64Array(5);
    else o["o"]!["z"] = new Float64Array(s.blockLen);
  }, { partition: { index: 0, count: 1 }, blockLen: 10 }).then(() => run((s, _i, o) => {
    o["o"]!["z"] = new Float64Array(5);
  }, { partition: { index: 0, count: 2 } })), BoundsError, /block 0 has 5 rows, but with partitions each call must write exactly its block's 10 rows/);
});

test("a missing input column: a NodeError naming column and RAT when awaited; touched and never awaited, no unhandled rejection", async () => {
  const src = await ratWith(20, { x: (i) => i });
  await rejects(() => applyBlocks(async (_s, i) => {
    await i["s"]!["nope"];
  }, { inputs: { s: src }, blockLen: 10 }), RatZarrError, /column "nope" does not exist in RAT "mem"/);
  const boom = new Error("boom");
  const e = await applyBlocks((_s, i) => {
    void i["s"]!["nope"];
    throw boom;
  }, { inputs: { s: src }, blockLen: 10 }).catch((x: unknown) => x);
  assert.is(e, boom);
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown) => unhandled.push(r);
  process.on("unhandledRejection", onUnhandled);
  await applyBlocks((_s, i) => void i["s"]!["nope"], { inputs: { s: src }, blockLen: 10 });
  await new Promise((r) => setTimeout(r, 50));
  process.off("unhandledRejection", onUnhandled);
  assert.equal(unhandled, []);
});

test("abort: stops before the next block with code aborted; the blocks done are stored, the others not", async () => {
  const out = await memRat();
  const ac = new AbortController();
  const e = await rejects(() => applyBlocks((s, _i, o) => {
    o["o"]!["v"] = Float64Array.from(s.inputRows(), (r) => r + 1);
  }, { outputs: { o: out }, rowCount: 100, blockLen: 10, signal: ac.signal, onProgress: (p) => p.blocksDone === 3 && ac.abort(new Error("enough")) }), RatZarrError, /aborted before block 3 \(input row 30\)/);
  assert.is((e as RatZarrError).code, "aborted");
  assert.is(((e as RatZarrError).cause as Error).message, "enough");
  const v = (await out.readBlock("v", 0, 100)) as Float64Array;
  assert.equal([...v.subarray(0, 30)], Array.from({ length: 30 }, (_, i) => i + 1));
  assert.ok(v.subarray(30).every((x) => x === 0));
  // Aborted before it starts: nothing opened.
  await rejects(() => applyBlocks(() => undefined, { outputs: { o: tempRatPath() }, rowCount: 5, signal: AbortSignal.abort() }), RatZarrError, /aborted before block 0/);
});

test("progress: once per block, in order, up to every row", async () => {
  const seen: string[] = [];
  await applyBlocks(() => undefined, { rowCount: 25, blockLen: 10, onProgress: (p) => seen.push(`${p.blockIndex}:${p.blocksDone}/${p.blocks}:${p.rowsDone}/${p.rows}`) });
  assert.equal(seen, ["0:1/3:10/25", "1:2/3:20/25", "2:3/3:25/25"]);
  const part: string[] = [];
  await applyBlocks(() => undefined, { rowCount: 25, blockLen: 10, partition: { index: 1, count: 2 }, onProgress: (p) => part.push(`${p.blockIndex}:${p.rowsDone}/${p.rows}`) });
  assert.equal(part, ["1:10/15", "2:15/15"]);
});

test("a failing function: the blocks it finished are stored (writes behind it complete), then its own error is thrown", async () => {
  // Slow sets: block 2's writes are still under way when the function fails on block 3.
  const store = new CountingStore(15);
  const out = await memRat(store);
  const boom = new Error("fn failed on block 3");
  const thrown = await applyBlocks((s, _i, o) => {
    if (s.blockIndex === 3) throw boom;
    o["o"]!["v"] = Float64Array.from(s.inputRows(), (r) => r + 0.5);
  }, { outputs: { o: out }, rowCount: 100, blockLen: 10 }).catch((e: unknown) => e);
  assert.is(thrown, boom);
  // Stored when the error is thrown, not some time after (checked before any other await).
  assert.equal(store.chunkKeys("RAT/v/"), ["RAT/v/c/0", "RAT/v/c/1", "RAT/v/c/2"]);
  const back = await RatZarr.open("mem", { store, readOnly: true });
  assert.equal([...((await back.readBlock("v", 0, 40)) as Float64Array)], [...Array.from({ length: 30 }, (_, i) => i + 0.5), ...new Array(10).fill(0)]);
  // With write-behind handles opened from a path: flushed and closed on failure too.
  const path = tempRatPath();
  await applyBlocks((s, _i, o) => {
    if (s.blockIndex === 2) throw boom;
    o["o"]!["v"] = Float64Array.from(s.inputRows(), (r) => r);
  }, { outputs: { o: path }, rowCount: 50, blockLen: 10, open: { ...quiet, writeBehind: 4 } }).catch(() => undefined);
  const disk = await RatZarr.open(path, { readOnly: true });
  assert.equal([...((await disk.readBlock("v", 0, 20)) as Float64Array)], Array.from({ length: 20 }, (_, i) => i));
});

test("a failing write (a store refusing sets) is thrown, naming the column", async () => {
  class Refusing extends MemoryStore {
    refuse = false;
    override set(key: string, value: Uint8Array): Promise<void> {
      if (this.refuse && key.includes("/c/")) return Promise.reject(new Error(`disk full at ${key}`));
      return super.set(key, value);
    }
  }
  const store = new Refusing();
  const out = await memRat(store);
  store.refuse = true;
  await rejects(() => applyBlocks((s, _i, o) => {
    o["o"]!["v"] = new Float64Array(s.blockLen).fill(1);
  }, { outputs: { o: out }, rowCount: 30, blockLen: 10 }), Error, /disk full at RAT\/v\/c\/0/);
});

test("partitions: blocks split into contiguous runs covering each block once", () => {
  for (const blocks of [0, 1, 7, 8, 50, 101]) {
    for (const count of [1, 2, 3, 8, 13]) {
      const owner: number[] = new Array(blocks).fill(-1);
      for (let index = 0; index < count; index++) {
        const { first, end } = partitionBlocks(blocks, { index, count });
        for (let b = first; b < end; b++) {
          assert.is(owner[b], -1, `block ${b} of ${blocks} in two partitions of ${count}`);
          owner[b] = index;
        }
      }
      assert.ok(owner.every((o, b) => o >= 0 && (b === 0 || o >= owner[b - 1]!)), `${blocks} blocks, ${count} partitions: ${owner}`);
    }
  }
});

test("partitions: 5 jobs at once on one store, blocks of 70 rows in chunks of 64 (shared chunks): equal to one job", async () => {
  const rows = 2000;
  const src = await ratWith(rows, { x: (i) => i * 3, y: (i) => i % 17 }, 64);
  const fn: Parameters<typeof applyBlocks>[0] = async (_s, i, o) => {
    const [x, y] = (await Promise.all([i["s"]!["x"]!, i["s"]!["y"]!])) as Float64Array[];
    o["o"]!["sum"] = x!.map((v, k) => v + y![k]!);
    o["o"]!["row"] = Int32Array.from(_s.inputRows());
  };
  const single = await ratWith(0, {}, 64);
  await applyBlocks(fn, { inputs: { s: src }, outputs: { o: single }, blockLen: 70 });
  const store = new MemoryStore();
  // A RAT with a column already: the applier keeps its chunk size (64), so blocks of 70 share chunks.
  const first = await ratWith(0, {}, 64, store);
  await first.createColumn("row", "int32");
  await first.close();
  await Promise.all([0, 1, 2, 3, 4].map(async (index) => applyBlocks(fn, { inputs: { s: src }, outputs: { o: await memRat(store) }, blockLen: 70, partition: { index, count: 5 } })));
  const shared = await RatZarr.open("mem", { store, readOnly: true });
  assert.is(shared.getRowCount(), rows);
  for (const c of ["sum", "row"]) assert.equal(await shared.readBlock(c, 0, rows), await single.readBlock(c, 0, rows), c);
  assert.is(await shared.getColumnChunkSize("sum"), 64);
});

test("partitionFromEnv: AWS Batch and Kubernetes indices, and the errors", () => {
  assert.equal(partitionFromEnv({ AWS_BATCH_JOB_ARRAY_INDEX: "3" }, 8), { index: 3, count: 8 });
  assert.equal(partitionFromEnv({ JOB_COMPLETION_INDEX: "0" }, 1), { index: 0, count: 1 });
  assert.equal(partitionFromEnv({ AWS_BATCH_JOB_ARRAY_INDEX: "5", JOB_COMPLETION_INDEX: "5" }, 6), { index: 5, count: 6 });
  assert.throws(() => partitionFromEnv({}, 4), /neither AWS_BATCH_JOB_ARRAY_INDEX nor JOB_COMPLETION_INDEX is set/);
  assert.throws(() => partitionFromEnv({ AWS_BATCH_JOB_ARRAY_INDEX: "1", JOB_COMPLETION_INDEX: "2" }, 4), /AWS_BATCH_JOB_ARRAY_INDEX \(1\) and JOB_COMPLETION_INDEX \(2\) give different/);
  assert.throws(() => partitionFromEnv({ JOB_COMPLETION_INDEX: "8" }, 8), /JOB_COMPLETION_INDEX is 8, but there are 8 jobs/);
  assert.throws(() => partitionFromEnv({ JOB_COMPLETION_INDEX: "-1" }, 8), /must be a job index/);
  assert.throws(() => partitionFromEnv({ JOB_COMPLETION_INDEX: "1" }, 0), /count must be an integer >= 1/);
  const env: Record<string, string> = { JOB_COMPLETION_INDEX: "2", OTHER: "x" };
  assert.equal(partitionVariables((n) => env[n]), { JOB_COMPLETION_INDEX: "2" });
});

test("copyRat: every column but the omitted ones, with type, width and GDAL usage, from local disk into memory and to a path; an unknown omitted column is an error", async () => {
  const path = tempRatPath();
  const src = await RatZarr.open(path, quiet);
  await src.setRowCount(1234);
  await src.createColumn("id", "int32");
  await src.createColumn("rgb", "uint8", { width: 3 });
  await src.createColumn("name", "string");
  await src.createColumn("flag", "bool");
  await src.createColumn("Histogram", "float64");
  await src.writeBlock("id", Int32Array.from({ length: 1234 }, (_, i) => i - 600), 0);
  await src.writeBlock("rgb", Uint8Array.from({ length: 3 * 1234 }, (_, i) => i % 251), 0);
  await src.writeBlock("name", Array.from({ length: 1234 }, (_, i) => `seg ${i} é`), 0);
  await src.writeBlock("flag", Uint8Array.from({ length: 1234 }, (_, i) => i % 3 === 0 ? 1 : 0), 0);
  await src.setColumnUsage("name", "Name");
  await src.setColumnUsage("id", "MinMax");
  await src.close();
  const store = new MemoryStore();
  const result = await copyRat(path, await memRat(store), { omitColumns: ["Histogram"], blockLen: 500 });
  assert.is(result?.blocks, 3);
  const a = await RatZarr.open(path, { readOnly: true });
  const b = await RatZarr.open("mem", { store, readOnly: true });
  assert.equal(await b.getColumnNames(), ["flag", "id", "name", "rgb"]);
  assert.is(b.getRowCount(), 1234);
  for (const c of ["flag", "id", "name", "rgb"]) {
    assert.is(await b.getColumnDtype(c), await a.getColumnDtype(c));
    assert.is(await b.getColumnWidth(c), await a.getColumnWidth(c));
    assert.equal(await b.readBlock(c, 0, 1234), await a.readBlock(c, 0, 1234), c);
  }
  assert.is(await b.getColumnChunkSize("id"), 500);
  // GDAL usages come along, as RIOS's copyRAT copies them; the default (Generic) stays unstored.
  assert.equal(await Promise.all(["flag", "id", "name", "rgb"].map((c) => b.getColumnUsage(c))), ["Generic", "MinMax", "Name", "Generic"]);
  assert.not.ok((await b.getColumnAttributeMapping("flag")).has("GDAL_USAGE"));
  const toPath = tempRatPath();
  await copyRat(path, toPath, { omitColumns: ["Histogram"] });
  const c = await RatZarr.open(toPath, { readOnly: true });
  assert.is(await c.getColumnUsage("name"), "Name");
  await c.close();
  await rejects(() => copyRat(path, tempRatPath(), { omitColumns: ["nope"] }), RatZarrError, /omitColumns names column "nope"/);
  assert.is(await copyRat(path, tempRatPath(), { omitColumns: ["id", "rgb", "name", "flag", "Histogram"] }), undefined);
});

test.run();
