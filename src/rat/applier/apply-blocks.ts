/**
 * The block applier: RIOS's `ratapplier.apply` in TypeScript idiom. A
 * function is called block by block over input and output RATs; it reads
 * input columns lazily (`await inputs.seg.area`, read once per block, the
 * next block read ahead) and assigns output columns (`outputs.out.ratio =
 * block`), which are written while the function works on the next block.
 * With `partition`, one job of many processes its share of the blocks.
 */
import { RatZarrError, showValue } from "../../errors.js";
import { checkCount } from "../arguments.js";
import type { RatZarrOptions } from "../rat-zarr.js";
import { blockCount, type BlockState, blockState } from "./block-state.js";
import { type InputBlocks, InputReader, type RatColumnTypes } from "./input-blocks.js";
import { openRats, type RatSource } from "./open-rats.js";
import { OutputCollector, type OutputBlocks } from "./output-blocks.js";
import { checkRowCountMode, type ColumnSpec, OutputWriter, type RowCountMode } from "./output-writer.js";
import { checkPartition, type Partition, partitionBlocks } from "./partition.js";

/** RIOS's default block length (rows). */
export const DEFAULT_BLOCK_LEN = 100_000;

/** Where a run is, after each block the function has finished (its writes may still be under way). */
export interface BlockProgress {
  /** Blocks of this run (this partition's) done so far, and in all. */
  readonly blocksDone: number;
  readonly blocks: number;
  /** Input rows of those blocks done so far, and in all. */
  readonly rowsDone: number;
  readonly rows: number;
  /** The block just done (its number in the whole loop). */
  readonly blockIndex: number;
}

/** What a run did. */
export interface ApplyBlocksResult {
  /** Blocks processed by this run (this partition's share). */
  readonly blocks: number;
  /** Rows the loop went through (all partitions). */
  readonly rowCount: number;
  /** Column reads issued (read-ahead included). */
  readonly reads: number;
}

export interface ApplyBlocksOptions {
  /** Input RATs by name: open handles or paths (opened read-only). All must have the same row count. */
  readonly inputs?: Readonly<Record<string, RatSource>>;
  /** Output RATs by name: open handles or paths (opened writable, created when missing). May be inputs too. */
  readonly outputs?: Readonly<Record<string, RatSource>>;
  /** Rows per block (default 100000, as RIOS); the last block is shorter. */
  readonly blockLen?: number;
  /** Rows to go through when there are no inputs (with inputs, default: their row count). */
  readonly rowCount?: number;
  /**
   * The output row count (RIOS's `outputRowCountHandling`): "equalsInput" (default) the rows
   * gone through; `{ fixed: n }` n; "increment" grown by each block as it is written
   * (`{ increment: n }`: by at least n rows). Without partitions, each output written to is
   * trimmed at the end to the rows written, in every mode, as RIOS does.
   */
  readonly rowCountMode?: RowCountMode;
  /** Output columns declared up front, by output name and column: `{ out: { class: { type: "uint8", width: 1 } } }`. Created before the first block. */
  readonly columns?: Readonly<Record<string, Readonly<Record<string, ColumnSpec>>>>;
  /** Called after each block. */
  readonly onProgress?: (progress: BlockProgress) => void;
  /** Stops the run before the next block (a `RatZarrError`, code "aborted"); also given to the handles opened here. */
  readonly signal?: AbortSignal;
  /** Process only this job's share of the blocks (see partition.ts); the jobs together write every block once. */
  readonly partition?: Partition;
  /** Read the next block of each touched input column while the function runs (default true). */
  readonly readAhead?: boolean;
  /** Options of `RatZarr.open` for RATs given as paths (runtime, S3, cache, writeBehind...). */
  readonly open?: RatZarrOptions;
}

/** The function the applier calls per block; it may be async. */
export type BlockFunction<I extends RatColumnTypes = RatColumnTypes, O extends RatColumnTypes = RatColumnTypes> = (state: BlockState, inputs: InputBlocks<I>, outputs: OutputBlocks<O>) => void | Promise<void>;

function aborted(signal: AbortSignal, state: { blockIndex: number; startRow: number }): RatZarrError {
  return new RatZarrError(`applyBlocks: aborted before block ${state.blockIndex} (input row ${state.startRow})`, { code: "aborted", cause: signal.reason });
}

/**
 * Call `fn(state, inputs, outputs)` for each block of `blockLen` rows (this partition's blocks
 * only, with `partition`). See ApplyBlocksOptions; the README's "Block applier" has examples.
 * An assigned block must not be changed after the function returns: it is written while the
 * function works on the next block. A failure (of the function or of a write) stops the run
 * once the writes under way have ended, and is thrown.
 */
export async function applyBlocks<I extends RatColumnTypes = RatColumnTypes, O extends RatColumnTypes = RatColumnTypes>(fn: BlockFunction<I, O>, options: ApplyBlocksOptions = {}): Promise<ApplyBlocksResult> {
  if (typeof fn !== "function") throw new RatZarrError(`applyBlocks needs a function, got ${showValue(fn)}`);
  const blockLen = options.blockLen ?? DEFAULT_BLOCK_LEN;
  checkCount(blockLen, "applyBlocks: blockLen", 1);
  const mode = options.rowCountMode ?? "equalsInput";
  checkRowCountMode(mode);
  const partition = options.partition ?? { index: 0, count: 1 };
  checkPartition(partition);
  const partitioned = partition.count > 1;
  if (partitioned && mode !== "equalsInput" && (typeof mode !== "object" || !("fixed" in mode))) {
    throw new RatZarrError(`applyBlocks: rowCountMode ${JSON.stringify(mode)} needs one job (each job would grow the row count by its own blocks); with partitions use "equalsInput" or { fixed: n }`);
  }
  if (options.rowCount !== undefined) checkCount(options.rowCount, "applyBlocks: rowCount", 0);
  const signal = options.signal;
  if (signal?.aborted) throw aborted(signal, { blockIndex: 0, startRow: 0 });
  const rats = await openRats(options.inputs, options.outputs, { ...options.open, ...(signal === undefined ? {} : { signal }) });
  const reader = new InputReader(rats.inputs, options.readAhead ?? true);
  let pending: Promise<void> = Promise.resolve();
  try {
    const rowCount = options.rowCount ?? commonRowCount(rats.inputs);
    const declared = options.columns ?? {};
    for (const name of Object.keys(declared)) if (!rats.outputs.has(name)) throw new RatZarrError(`columns.${name}: no output RAT of that name (outputs: ${[...rats.outputs.keys()].map((n) => `"${n}"`).join(", ") || "none"})`);
    const writers = new Map([...rats.outputs].map(([name, rat]) => [name, new OutputWriter({ name, rat, mode, rowCount, blockLen, partitioned, declared: declared[name] ?? {} })]));
    for (const w of writers.values()) await w.prepare();

    const blocks = blockCount(rowCount, blockLen);
    const { first, end } = partitionBlocks(blocks, partition);
    const collector = new OutputCollector([...rats.outputs.keys()]);
    const inputs = reader.view<I>();
    const outputs = collector.view<O>();
    let rowsDone = 0;
    const rows = end > first ? Math.min(rowCount, end * blockLen) - first * blockLen : 0;
    for (let b = first; b < end; b++) {
      const state = blockState(b, blockLen, rowCount, blocks);
      if (signal?.aborted) throw aborted(signal, state);
      reader.begin(state, b + 1 < end ? blockState(b + 1, blockLen, rowCount, blocks) : undefined);
      collector.begin();
      try {
        await fn(state, inputs, outputs);
      } catch (e) {
        collector.take();
        throw e;
      }
      const assigned = collector.take();
      // Write-behind: this block's writes start once the previous block's have ended, and run while fn works on the next.
      await pending;
      pending = (async () => {
        for (const [name, cols] of assigned) await writers.get(name)!.write(state, cols);
      })();
      pending.catch(() => undefined);
      rowsDone += state.blockLen;
      options.onProgress?.({ blocksDone: b - first + 1, blocks: end - first, rowsDone, rows, blockIndex: b });
    }
    await pending;
    for (const w of writers.values()) await w.finish();
    reader.clear();
    await rats.finish();
    return { blocks: end - first, rowCount, reads: reader.reads };
  } catch (e) {
    // The writes under way end first (a block the function finished is stored), then every handle is flushed and closed.
    reader.clear();
    await pending.catch(() => undefined);
    await rats.finish().catch(() => undefined);
    throw e;
  }
}

/** The row count every input has; different counts are a `RatZarrError` naming the RATs and their counts. */
function commonRowCount(inputs: ReadonlyMap<string, { readonly path: string; getRowCount(): number }>): number {
  const counts = [...inputs].map(([name, rat]) => ({ name, path: rat.path, rows: rat.getRowCount() }));
  if (counts.length === 0) throw new RatZarrError("applyBlocks: no inputs and no rowCount: give rowCount (the rows to go through) when there is no input RAT");
  const first = counts[0]!;
  const other = counts.find((c) => c.rows !== first.rows);
  if (other !== undefined) {
    throw new RatZarrError(`applyBlocks: input RATs differ in row count: "${first.name}" (${first.path}) has ${first.rows} rows, "${other.name}" (${other.path}) has ${other.rows}; every input must have the same row count`, { code: "bounds" });
  }
  return first.rows;
}
