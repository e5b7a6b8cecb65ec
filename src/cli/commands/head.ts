/**
 * `ratzarr head PATH [--columns a,b] [--rows START:STOP]`: rows of a RAT as an
 * aligned table (or `--json`), read block by block through `readBlock`.
 */
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import type { ArrayFor, DataType } from "../../data-types.js";
import { openRat } from "../open-rat.js";
import { formatTable } from "../table.js";
import { jsonRow, showRow } from "../cell.js";
import { toJsonLine } from "../json-output.js";
import { positionals, UsageError } from "../usage-error.js";

const usage = "ratzarr head PATH [--columns a,b] [--rows START:STOP] [--json]";
const DEFAULT_ROWS = 10;

/** `START:STOP` (STOP exclusive; either side may be left out: `:20`, `100:`) into numbers; STOP undefined means the row count. */
export function parseRows(text: string): { start: number; stop: number | undefined } {
  const m = /^(\d*):(\d*)$/.exec(text);
  const start = m?.[1] === "" ? 0 : Number(m?.[1]);
  const stop = m?.[2] === "" ? undefined : Number(m?.[2]);
  if (m === null || !Number.isSafeInteger(start) || (stop !== undefined && !Number.isSafeInteger(stop))) throw new UsageError(`--rows must be START:STOP (e.g. 100:120), got "${text}"`);
  if (stop !== undefined && stop < start) throw new UsageError(`--rows ${text}: STOP ${stop} is before START ${start}`);
  return { start, stop };
}

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseArgs({
    args: [...ctx.argv],
    options: { columns: { type: "string" }, rows: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [path] = positionals(given, 1, 1, usage) as [string];
  const range = values.rows === undefined ? { start: 0, stop: DEFAULT_ROWS } : parseRows(values.rows);
  const asked = values.columns?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (asked?.length === 0) throw new UsageError("--columns needs at least one column name");
  const rz = await openRat(path, ctx, { readOnly: true });
  try {
    const names = asked ?? (await rz.getColumnNames());
    const rowCount = rz.getRowCount();
    const start = Math.min(range.start, rowCount);
    const stop = Math.min(range.stop ?? rowCount, rowCount);
    const columns: { name: string; dtype: DataType; width: number; values: ArrayFor<DataType> }[] = [];
    for (const name of names) {
      const col = await rz.openColumn(name);
      columns.push({ name, dtype: col.dataType, width: col.rowSize, values: await rz.readBlock(name, start, stop - start) });
    }
    const rows = Array.from({ length: stop - start }, (_, i) => i);
    if (ctx.json) {
      ctx.out(toJsonLine({
        start,
        stop,
        rowCount,
        columns: names,
        rows: rows.map((i) => Object.fromEntries([["row", start + i], ...columns.map((c) => [c.name, jsonRow(c.values, i, c.width, c.dtype === "bool")])])),
      }));
      return 0;
    }
    const numeric = (c: { dtype: DataType; width: number }): boolean => c.width === 1 && c.dtype !== "string" && c.dtype !== "bool";
    ctx.out(formatTable(
      ["row", ...names],
      rows.map((i) => [{ text: String(start + i), right: true }, ...columns.map((c) => ({ text: showRow(c.values, i, c.width, c.dtype === "bool"), right: numeric(c) }))]),
    ));
    if (rows.length === 0) ctx.err(`ratzarr: no rows in ${range.start}:${range.stop ?? ""} (the RAT has ${rowCount})\n`);
    return 0;
  } finally {
    await rz.close();
  }
}

/** `ratzarr head`. */
export const head: Command = {
  name: "head",
  summary: "rows of a RAT as an aligned table (first 10, or --rows START:STOP; --columns a,b)",
  usage,
  example: `$ ratzarr head segments.zarr --columns area,name,rgb --rows 100:103
row   area  name          rgb
100  12.5   forest        [34, 139, 34]
101   0.25  "open water"  [0, 0, 255]
102  7      ""            [0, 0, 0]

Rows START..STOP-1 (STOP clipped at the row count); default 0:10. Strings are quoted
(JSON style) when they hold a space, comma, quote or bracket, or are empty.
--json: {"start","stop","rowCount","columns":[names],"rows":[{"row":100,"area":12.5,
  "name":"forest","rgb":[34,139,34]}]}; bool as true/false; 64-bit integers beyond 2^53 as
  decimal strings; NaN and infinities as "NaN", "Infinity", "-Infinity".`,
  run,
};
