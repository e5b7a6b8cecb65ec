/**
 * `ratzarr attrs PATH [COLUMN] [--set key=json ...] [--delete key ...]`: show
 * the attributes of the RAT or of one column, or change them through the
 * library's attribute mappings (stored attributes re-read, changed and written
 * back with the versioned read-modify-write, so other writers' keys survive).
 */
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import type { JsonValue } from "../../codecs/codec.js";
import { openRat } from "../open-rat.js";
import { parseJson } from "../../format/json.js";
import { toJsonLine } from "../json-output.js";
import { positionals, UsageError } from "../usage-error.js";

const usage = "ratzarr attrs PATH [COLUMN] [--set key=json ...] [--delete key ...] [--json]";

/** `key=json` into its key and parsed value. */
export function parseAssignment(text: string): [string, JsonValue] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--set needs key=json, got "${text}"`);
  const key = text.slice(0, eq);
  try {
    // The library's parser: integers past 2^53 stay exact (bigint), NaN and Infinity are read as Python writes them.
    return [key, parseJson(text.slice(eq + 1), `--set ${key}`)];
  } catch (e) {
    throw new UsageError(`--set ${key}: the value is not JSON (${(e as Error).message}); a string needs quotes: --set '${key}="text"'`);
  }
}

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseArgs({
    args: [...ctx.argv],
    options: { set: { type: "string", multiple: true }, delete: { type: "string", multiple: true } },
    allowPositionals: true,
    strict: true,
  });
  const [path, column] = positionals(given, 1, 2, usage) as [string, string | undefined];
  const sets = (values.set ?? []).map(parseAssignment);
  const deletes = values.delete ?? [];
  const both = sets.find(([k]) => deletes.includes(k));
  if (both !== undefined) throw new UsageError(`attribute "${both[0]}" is both set and deleted`);
  const changing = sets.length > 0 || deletes.length > 0;
  const rz = await openRat(path, ctx, { readOnly: !changing });
  try {
    const mapping = column === undefined ? await rz.getRatAttributeMapping() : await rz.getColumnAttributeMapping(column);
    if (changing) await mapping.refresh();
    if (sets.length > 0) await mapping.update(sets);
    for (const key of deletes) {
      if (!(await mapping.delete(key))) ctx.err(`ratzarr: ${mapping.owner} has no attribute "${key}"; nothing deleted\n`);
    }
    const attrs = mapping.toJSON();
    if (ctx.json) {
      ctx.out(toJsonLine(attrs));
      return 0;
    }
    const entries = Object.entries(attrs);
    ctx.out(entries.length === 0 ? `${mapping.owner}: no attributes\n` : entries.map(([k, v]) => `${k} = ${typeof v === "bigint" ? v.toString() : toJsonLine(v).trimEnd()}`).map((l) => `${l}\n`).join(""));
    return 0;
  } finally {
    await rz.close();
  }
}

/** `ratzarr attrs`. */
export const attrs: Command = {
  name: "attrs",
  summary: "show the attributes of the RAT or a column; --set key=json, --delete key to change them",
  usage,
  example: `$ ratzarr attrs segments.zarr --set 'title="Segments, tile 3"' --set 'classes=[1,2,5]'
ROWCOUNT = 1000
CHUNKSIZE = 500
title = "Segments, tile 3"
classes = [1,2,5]
$ ratzarr attrs segments.zarr area --delete units

Prints the attributes after any change, one "key = json" per line. --set and --delete may
repeat; values are JSON (a string needs its quotes). ROWCOUNT, CHUNKSIZE and
MODIFICATIONLOG are managed by ratzarr and cannot be changed here. https:// RATs are read-only.
--json: the attributes as one JSON object.`,
  run,
};
