/**
 * Writing the blocks the function assigned, for one output RAT: columns
 * made on first assignment (or up front when declared), the row count grown
 * as RIOS's row count modes say, every block of a call written at the same
 * output row, and the final trim. Safe when many jobs prepare one RAT at
 * once: the chunk size, the row count and each column are set idempotently.
 */
import { BoundsError, NodeError, RatZarrError } from "../../errors.js";
import type { ColumnDataType } from "../options.js";
import type { RatZarr } from "../rat-zarr.js";
import type { BlockState } from "./block-state.js";
import { ratChunkSize } from "./chunk-rule.js";
import type { ColumnArray } from "./input-blocks.js";
import { dataTypeOf } from "./output-blocks.js";

/** How the row count of an output RAT follows the rows written (RIOS's RCM_EQUALS_INPUT, RCM_FIXED, RCM_INCREMENT). */
export type RowCountMode = "equalsInput" | { readonly fixed: number } | "increment" | { readonly increment: number };

/** A column declared up front: its type and width (default 1). */
export interface ColumnSpec {
  readonly type: ColumnDataType;
  readonly width?: number;
}

/** What the writer of one output RAT is told. */
export interface OutputPlan {
  /** The output's name in `outputs`. */
  readonly name: string;
  readonly rat: RatZarr;
  readonly mode: RowCountMode;
  /** Rows the loop goes through (the row count `equalsInput` gives). */
  readonly rowCount: number;
  /** The loop's block length (the chunk rule's input). */
  readonly blockLen: number;
  /** Partitioned: each call writes exactly its block's rows, at its block's rows; no trim. */
  readonly partitioned: boolean;
  readonly declared: Readonly<Record<string, ColumnSpec>>;
}

/** Writes the blocks of one output RAT, one call's blocks at a time (never two at once). */
export class OutputWriter {
  /** The next output row (RIOS's `Z__outputRowCount`): blocks are written one after another. */
  private offset = 0;
  private wrote = false;
  /** Columns known to exist with their type and width. */
  private readonly known = new Map<string, { dtype: string; width: number }>();

  constructor(private readonly plan: OutputPlan) {}

  /** Rows written so far (the row count the final trim sets). */
  get rowsWritten(): number {
    return this.offset;
  }

  private label(): string {
    return `output "${this.plan.name}" (RAT "${this.plan.rat.path}")`;
  }

  /**
   * Before the loop: a RAT with no columns yet gets RIOS's chunk size; with partitions, the
   * row count is grown to what every job needs now (each job does it; the same value is a no-op);
   * declared columns are created.
   */
  async prepare(): Promise<void> {
    const { rat, declared, partitioned } = this.plan;
    if ((await rat.getColumnNames()).length === 0) {
      const chunk = ratChunkSize(this.plan.blockLen);
      if (rat.getRATChunkSize() !== chunk) await rat.setChunkSize(chunk);
    }
    // Another job may have set the chunk size and row count since this handle read them.
    await (await rat.getRatAttributeMapping()).refresh();
    if (partitioned) await this.grow(this.target(0));
    for (const [column, spec] of Object.entries(declared)) await this.ensure(column, spec.type, spec.width ?? 1);
  }

  /** The row count RIOS would set when `needed` rows do not fit (`guessNewRowCount`). */
  private target(needed: number): number {
    const { mode, rowCount } = this.plan;
    if (mode === "equalsInput") return rowCount;
    if (mode === "increment") return needed;
    if ("fixed" in mode) return mode.fixed;
    return Math.max(needed, this.offset + mode.increment);
  }

  private async grow(rows: number): Promise<void> {
    if (this.plan.rat.getRowCount() < rows) await this.plan.rat.setRowCount(rows);
  }

  /** Make sure `column` exists as `dtype` × `width`: created here, or by another job (same type and width), or already there. */
  private async ensure(column: string, dtype: ColumnDataType, width: number): Promise<void> {
    const { rat } = this.plan;
    if (!this.known.has(column)) {
      try {
        await rat.createColumn(column, dtype, { width });
      } catch (e) {
        if (!(e instanceof NodeError && e.code === "exists")) throw e;
      }
    }
    const stored = { dtype: await rat.getColumnDtype(column), width: await rat.getColumnWidth(column) };
    if (stored.dtype !== dtype || stored.width !== width) {
      throw new BoundsError(`${this.label()}, column "${column}": exists as ${stored.dtype} of width ${stored.width}, but the applier writes ${dtype} of width ${width}`, { code: "type" });
    }
    this.known.set(column, stored);
  }

  /** The type and width a column is written with: declared, else as stored, else from the block. */
  private async specOf(column: string, block: ColumnArray): Promise<{ dtype: ColumnDataType; width: number; exists: boolean }> {
    const declared = this.plan.declared[column];
    if (declared !== undefined) return { dtype: declared.type, width: declared.width ?? 1, exists: this.known.has(column) };
    const known = this.known.get(column);
    if (known !== undefined) return { dtype: known.dtype as ColumnDataType, width: known.width, exists: true };
    if (await this.plan.rat.colExists(column)) {
      return { dtype: (await this.plan.rat.getColumnDtype(column)) as ColumnDataType, width: await this.plan.rat.getColumnWidth(column), exists: false };
    }
    return { dtype: dataTypeOf(block), width: 1, exists: false };
  }

  /** Write one call's blocks (`blocks`: column to block) for block `state`. */
  async write(state: BlockState, blocks: ReadonlyMap<string, ColumnArray>): Promise<void> {
    if (blocks.size === 0) return;
    const specs = new Map<string, { dtype: ColumnDataType; width: number; exists: boolean }>();
    let rows: number | undefined;
    let first = "";
    for (const [column, block] of blocks) {
      const spec = await this.specOf(column, block);
      if (block.length % spec.width !== 0) throw new BoundsError(`${this.label()}, column "${column}": block ${state.blockIndex} has ${block.length} values, not a whole number of rows of width ${spec.width}`);
      const n = block.length / spec.width;
      if (rows !== undefined && n !== rows) {
        throw new BoundsError(`${this.label()}, block ${state.blockIndex} (input rows ${state.startRow} to ${state.startRow + state.blockLen - 1}): column "${column}" has ${n} rows but column "${first}" has ${rows}; every column written in one call must have the same row count`);
      }
      rows ??= n;
      first ||= column;
      specs.set(column, spec);
    }
    const n = rows ?? 0;
    const start = this.plan.partitioned ? state.startRow : this.offset;
    if (this.plan.partitioned && n !== state.blockLen) {
      throw new BoundsError(`${this.label()}, column "${first}": block ${state.blockIndex} has ${n} rows, but with partitions each call must write exactly its block's ${state.blockLen} rows (at rows ${state.startRow} to ${state.startRow + state.blockLen - 1})`);
    }
    // Rows first, columns after: a column is created with the row count it needs (FORMAT.md: ROWCOUNT is every column's length).
    if (this.plan.rat.getRowCount() < start + n) {
      const target = this.target(start + n);
      if (target < start + n) {
        throw new BoundsError(`${this.label()}, column "${first}": block ${state.blockIndex} writes ${n} rows at output row ${start}, past the row count ${target} that row count mode ${JSON.stringify(this.plan.mode)} allows`);
      }
      await this.grow(target);
    }
    for (const [column, spec] of specs) if (!this.known.has(column)) await this.ensure(column, spec.dtype, spec.width);
    await Promise.all([...blocks].map(([column, block]) => this.plan.rat.writeBlock(column, block, start)));
    this.offset = start + n;
    this.wrote = true;
  }

  /** After the loop, as RIOS's `finaliseRowCount`: the row count becomes the rows written (not with partitions, nor when nothing was written). */
  async finish(): Promise<void> {
    if (this.plan.partitioned || !this.wrote) return;
    if (this.plan.rat.getRowCount() !== this.offset) await this.plan.rat.setRowCount(this.offset);
  }
}

/** Throw unless `mode` is a row count mode. */
export function checkRowCountMode(mode: unknown): asserts mode is RowCountMode {
  if (mode === "equalsInput" || mode === "increment") return;
  if (typeof mode === "object" && mode !== null) {
    const m = mode as { fixed?: unknown; increment?: unknown };
    const n = "fixed" in m ? m.fixed : m.increment;
    if (("fixed" in m) !== ("increment" in m) && Number.isSafeInteger(n) && (n as number) >= 0) return;
  }
  throw new RatZarrError(`rowCountMode must be "equalsInput", "increment", { fixed: rows } or { increment: rows }, got ${JSON.stringify(mode) ?? String(mode)}`);
}
