/** `ratzarr rm PATH [--force]`: delete a RAT and every key under it (`RatZarr.delete`). */
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import { RatZarr } from "../../node/index.js";
import { toJsonLine } from "../json-output.js";
import { positionals } from "../usage-error.js";

const usage = "ratzarr rm PATH [--force] [--json]";

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseArgs({ args: [...ctx.argv], options: { force: { type: "boolean", short: "f" } }, allowPositionals: true, strict: true });
  const [path] = positionals(given, 1, 1, usage) as [string];
  const io = { signal: ctx.signal };
  const existed = await RatZarr.exists(path, io);
  if (!existed && values.force !== true) throw new Error(`"${path}": nothing there to remove (--force to succeed anyway)`);
  // Refuses anything that is not a RAT, and leaves it untouched.
  if (existed) await RatZarr.delete(path, io);
  if (ctx.json) ctx.out(toJsonLine({ path, removed: existed }));
  else ctx.out(existed ? `removed ${path}\n` : `nothing at ${path}\n`);
  return 0;
}

/** `ratzarr rm`. */
export const rm: Command = {
  name: "rm",
  summary: "delete a RAT and everything in it (refuses a path that holds something else)",
  usage,
  example: `$ ratzarr rm s3://my-bucket/rats/old.zarr
removed s3://my-bucket/rats/old.zarr

Nothing at PATH is an error (exit 1) unless --force. A path holding something that is not
a RAT is refused and left untouched.
--json: {"path","removed":true|false}`,
  run,
};
