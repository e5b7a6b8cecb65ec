/** `ratzarr log PATH [COLUMN]`: the modification log of one column or of every column. */
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import { openRat } from "../open-rat.js";
import { formatTable } from "../table.js";
import { showElement } from "../cell.js";
import { toJsonLine } from "../json-output.js";
import { positionals } from "../usage-error.js";

const usage = "ratzarr log PATH [COLUMN] [--json]";

async function run(ctx: CommandContext): Promise<number> {
  const { positionals: given } = parseArgs({ args: [...ctx.argv], options: {}, allowPositionals: true, strict: true });
  const [path, column] = positionals(given, 1, 2, usage) as [string, string | undefined];
  const rz = await openRat(path, ctx, { readOnly: true });
  try {
    const names = column === undefined ? await rz.getColumnNames() : [column];
    const logs: Record<string, { time: string; user: string; argv: string[] }[]> = {};
    for (const name of names) logs[name] = (await rz.getModificationLog(name)).map(([time, user, argv]) => ({ time, user, argv }));
    if (ctx.json) {
      ctx.out(toJsonLine({ columns: logs }));
      return 0;
    }
    const rows = Object.entries(logs)
      .flatMap(([name, entries]) => entries.map((e) => [e.time, name, e.user, e.argv.map((a) => showElement(a, false)).join(" ")]))
      .sort((a, b) => a[0]!.localeCompare(b[0]!) || a[1]!.localeCompare(b[1]!));
    ctx.out(rows.length === 0 ? "no modifications logged\n" : formatTable(["time", "column", "user", "command"], rows));
    return 0;
  } finally {
    await rz.close();
  }
}

/** `ratzarr log`. */
export const log: Command = {
  name: "log",
  summary: "who wrote each column, when, with which command (the MODIFICATIONLOG)",
  usage,
  example: `$ ratzarr log segments.zarr
time                 column  user   command
2026-12-01T16:19:58  name    alice  python make_rat.py --tile 3
2026-12-01T16:20:00  area    alice  python make_rat.py --tile 3

One line per writing session, oldest first; arguments with spaces are quoted.
--json: {"columns":{"area":[{"time","user","argv":[...]}], ...}} (every column, or COLUMN only).`,
  run,
};
