/**
 * `copyRat`: RIOS's `copyRAT` on top of the block applier. Every column of
 * the source (less `omitColumns`) is copied block by block into the
 * destination, with its data type, width and GDAL usage (as RIOS copies the
 * usage); any mix of local, S3 and HTTP sources (an HTTP source is read-only,
 * which is all a source needs).
 */
import { RatZarrError, showValue } from "../../errors.js";
import { RatZarr } from "../rat-zarr.js";
import { type ApplyBlocksOptions, type ApplyBlocksResult, applyBlocks } from "./apply-blocks.js";
import type { RatSource } from "./open-rats.js";
import type { ColumnSpec } from "./output-writer.js";

export interface CopyRatOptions extends Pick<ApplyBlocksOptions, "blockLen" | "onProgress" | "signal" | "open" | "partition" | "readAhead"> {
  /** Columns not copied (a name the source does not have is an error, as in RIOS). */
  readonly omitColumns?: readonly string[];
}

/**
 * Copy the columns of RAT `src` into RAT `dst` (created when missing; existing columns of the
 * same name, type and width are overwritten). The destination's row count becomes the source's.
 * With no column left to copy, nothing is written (as RIOS).
 */
export async function copyRat(src: RatSource, dst: RatSource, options: CopyRatOptions = {}): Promise<ApplyBlocksResult | undefined> {
  const omit = options.omitColumns ?? [];
  if (!Array.isArray(omit) || omit.some((c) => typeof c !== "string")) throw new RatZarrError(`copyRat: omitColumns must be an array of column names, got ${showValue(omit)}`);
  const source = typeof src === "string" ? await RatZarr.open(src, { ...options.open, readOnly: true, create: false }) : src;
  try {
    const names = await source.getColumnNames();
    const missing = omit.find((c) => !names.includes(c));
    if (missing !== undefined) throw new RatZarrError(`copyRat: omitColumns names column "${missing}", which RAT "${source.path}" does not have`, { code: "missing" });
    const copied = names.filter((c) => !omit.includes(c));
    if (copied.length === 0) return undefined;
    const columns: Record<string, ColumnSpec> = {};
    for (const c of copied) columns[c] = { type: (await source.getColumnDtype(c)) as ColumnSpec["type"], width: await source.getColumnWidth(c) };
    const usages = await Promise.all(copied.map((c) => source.getColumnUsage(c)));
    const result = await applyBlocks(async (_state, inputs, outputs) => {
      const from = inputs["src"]!;
      const to = outputs["dst"]!;
      const blocks = await Promise.all(copied.map((c) => from[c]!));
      copied.forEach((c, i) => (to[c] = blocks[i]));
    }, { ...options, inputs: { src: source }, outputs: { dst }, columns: { dst: columns } });
    // The usages that are not GDAL's default (every job of a partitioned copy sets the same ones).
    if (usages.some((u) => u !== "Generic")) {
      const target = typeof dst === "string" ? await RatZarr.open(dst, { ...options.open, readOnly: false, create: false }) : dst;
      try {
        for (const [i, c] of copied.entries()) if (usages[i] !== "Generic") await target.setColumnUsage(c, usages[i]!);
      } finally {
        if (target !== dst) await target.close();
      }
    }
    return result;
  } finally {
    if (source !== src) await source.close();
  }
}
