/**
 * `ratzarr diff A B [--columns a,b] [--rows N] [--json]`: compare two RATs value by value
 * (src/cli/compare.ts), wherever each is (local, file://, s3://, https://). Exit status: the
 * number of differences (capped at 125), as `gdal mdim compare` does: 0 when equal.
 */
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import { type AttributeDiff, type ColumnDiff, compareRats } from "../compare.js";
import { openRat } from "../open-rat.js";
import { formatTable } from "../table.js";
import { showElement } from "../cell.js";
import { jsonValue, toJsonLine } from "../json-output.js";
import { showValue } from "../../errors.js";
import { positionals, UsageError } from "../usage-error.js";

const usage = "ratzarr diff A B [--columns a,b] [--rows N] [--json]";
/** Exit statuses above 125 mean other things to a shell (126, 127: not run; 128+N: a signal). */
const MAX_STATUS = 125;

/** One side's values of a differing row as table text: a value, or `[a, b]` for width > 1. */
const showValues = (v: readonly unknown[]): string => (v.length === 1 ? showElement(v[0], false) : `[${v.map((x) => showElement(x, false)).join(", ")}]`);
/** A table cell: numbers right-aligned. */
const cell = (v: readonly unknown[]) => ({ text: showValues(v), right: v.length === 1 && (typeof v[0] === "number" || typeof v[0] === "bigint") });
const showAttr = (v: unknown): string => (v === undefined ? "(absent)" : showValue(v));
const attrLines = (where: string, list: readonly AttributeDiff[]): string => list.map((d) => `${where} attribute ${JSON.stringify(d.key)}: ${showAttr(d.a)} in A, ${showAttr(d.b)} in B\n`).join("");

/** The text report of one differing column. */
function columnText(c: ColumnDiff, rows: number): string {
  const name = JSON.stringify(c.name);
  if (c.onlyIn !== undefined) return `column ${name}: only in ${c.onlyIn.toUpperCase()}\n`;
  let text = "";
  if (c.dataType !== undefined) text += `column ${name}: type ${c.dataType[0]} in A, ${c.dataType[1]} in B (values not compared)\n`;
  if (c.width !== undefined) text += `column ${name}: width ${c.width[0]} in A, ${c.width[1]} in B (values not compared)\n`;
  if (c.differingRows !== undefined) {
    text += `column ${name}: ${c.differingRows} of ${rows} rows differ${c.differingRows > (c.firstRows?.length ?? 0) ? `, the first ${c.firstRows?.length ?? 0}` : ""}:\n`;
    const table = formatTable(["row", "A", "B"], (c.firstRows ?? []).map((r) => [{ text: String(r.row), right: true }, cell(r.a), cell(r.b)]));
    text += table.replace(/^(?=.)/gm, "  ");
  }
  return text + attrLines(`column ${name}`, c.attributes ?? []);
}

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseArgs({ args: [...ctx.argv], options: { columns: { type: "string" }, rows: { type: "string" } }, allowPositionals: true, strict: true });
  const [pathA, pathB] = positionals(given, 2, 2, usage) as [string, string];
  const columns = values.columns?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (columns?.length === 0) throw new UsageError("--columns needs at least one column name");
  const shownRows = values.rows === undefined ? 5 : Number(values.rows);
  if (!Number.isSafeInteger(shownRows) || shownRows < 0) throw new UsageError(`--rows must be a whole number of rows to show per column, got "${values.rows ?? ""}"`);
  // --columns also names the columns of an https:// RAT whose server cannot list them.
  const a = await openRat(pathA, ctx, { readOnly: true, columns });
  try {
    const b = await openRat(pathB, ctx, { readOnly: true, columns });
    try {
      const d = await compareRats(a, b, { columns, shownRows, signal: ctx.signal });
      const status = Math.min(d.differences, MAX_STATUS);
      const [ra, rb] = d.rowCounts;
      if (ctx.json) {
        const one = (v: readonly unknown[]): unknown => (v.length === 1 ? jsonValue(v[0]) : v.map(jsonValue));
        ctx.out(toJsonLine({
          a: pathA,
          b: pathB,
          rowCounts: { a: ra, b: rb },
          ratAttributes: d.ratAttributes,
          columns: d.columns.map((c) => ({ ...c, ...(c.firstRows === undefined ? {} : { firstRows: c.firstRows.map((r) => ({ row: r.row, a: one(r.a), b: one(r.b) })) }) })),
          differences: d.differences,
        }));
        return status;
      }
      if (ra !== rb) ctx.out(`rows: ${ra} in A, ${rb} in B (values compared over the first ${Math.min(ra, rb)})\n`);
      ctx.out(attrLines("RAT", d.ratAttributes));
      for (const c of d.columns) ctx.out(columnText(c, Math.min(ra, rb)));
      if (d.differences === 0) ctx.out(`A ${pathA} and B ${pathB}: equal (${ra} rows)\n`);
      else {
        const parts = [`${d.columns.length} column${d.columns.length === 1 ? "" : "s"}`, ...(ra !== rb ? ["the row count"] : []), ...(d.ratAttributes.length > 0 ? ["the RAT attributes"] : [])];
        ctx.out(`A ${pathA} and B ${pathB}: ${d.differences} difference${d.differences === 1 ? "" : "s"} (${parts.join(", ")})\n`);
      }
      return status;
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}

/** `ratzarr diff`. */
export const diff: Command = {
  name: "diff",
  summary: "compare two RATs value by value (any mix of local, s3://, https://); exit status = number of differences",
  usage,
  example: `$ ratzarr diff seg.zarr s3://my-bucket/seg.zarr
column "area": 2 of 10 rows differ:
  row  A    B
    3  4.5  99
    7  NaN  10.5
column "name": only in A
A seg.zarr and B s3://my-bucket/seg.zarr: 2 differences (2 columns)

Compared: row counts, column sets, each column's type and width, values over the rows both
have (NaN equals NaN, -0 equals 0), attributes of the RAT and of each column. Not compared:
chunk sizes, codecs, CHUNKSIZE and the MODIFICATIONLOG.
Exit status: one per column that differs (only in one RAT, type, width, values or attributes),
plus one when the row counts differ, plus one when the RAT attributes differ; capped at 125.
0: equal. Usage errors and failures exit 2 and 1 as with every command; so a comparison with
one or two differences shares its status with them: tell them apart by the output, or --json.
--rows N: differing rows shown per column (default 5).
--json: {"a","b","rowCounts":{"a","b"},"ratAttributes":[{"key","a","b"}],"columns":[{"name",
  "onlyIn"?,"dataType"?,"width"?,"differingRows"?,"firstRows"?:[{"row","a","b"}],"attributes"?}],
  "differences"}`,
  run,
};
