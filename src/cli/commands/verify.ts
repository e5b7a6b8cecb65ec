/**
 * `ratzarr verify PATH [--json]`: the auditor's check of a stored RAT
 * (src/cli/verify.ts), one line per problem and a summary; exit status 0
 * only when nothing is wrong. Opens the RAT read-only, wherever it is.
 */
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import type { Progress } from "../progress.js";
import { type Problem, verifyRat, type VerifyProgress } from "../verify.js";
import { resolveLocation } from "../../rat/location.js";
import { nodePlatform } from "../../node/platform.js";
import { RatZarrError } from "../../errors.js";
import { EXIT, UsageError } from "../usage-error.js";
import { toJsonLine } from "../json-output.js";

/** One problem as a line of text: `KIND key: message (F-x.y)`, the statement of docs/FORMAT.md it breaks last. */
export function formatProblem(p: Problem): string {
  return `${p.kind.toUpperCase()} ${p.key}: ${p.message} (${p.statement})`;
}

export const verifyCommand: Command = {
  name: "verify",
  summary: "check every zarr.json, chunk, checksum and log of a RAT; exit status 0 only when nothing is wrong",
  usage: "ratzarr verify PATH [--json]",
  example: "ratzarr verify s3://bucket/landcover.zarr --json",
  async run(ctx: CommandContext): Promise<number> {
    // --json is a global flag the dispatcher takes out; accepted here too, so `run` works on any argv.
    const parsed = parseArgs({ args: [...ctx.argv], options: { json: { type: "boolean" } }, allowPositionals: true, strict: true });
    const json = ctx.json || parsed.values.json === true;
    const [path, extra] = parsed.positionals;
    if (path === undefined) throw new UsageError("missing PATH");
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const location = await resolveLocation(path, nodePlatform, { readOnly: true });
    try {
      if (!(await location.exists({ signal: ctx.signal }))) throw new RatZarrError(`nothing at ${path}`, { code: "missing" });
      let last: VerifyProgress = { columns: 0, chunksDone: 0, chunksTotal: 0, bytesRead: 0 };
      let bar: Progress | undefined;
      const onProgress = (p: VerifyProgress): void => {
        last = p;
        if (p.chunksTotal === 0) return;
        bar ??= ctx.progress({ label: "verify", total: p.chunksTotal, unit: "chunks" });
        bar.update(p.chunksDone, p.bytesRead);
      };
      let problems: Problem[];
      try {
        problems = await verifyRat(location.store, { signal: ctx.signal, onProgress });
      } finally {
        bar?.stop();
      }
      for (const p of problems) ctx.out(json ? toJsonLine(p) : `${formatProblem(p)}\n`);
      const summary = { path, problems: problems.length, columns: last.columns, chunks: last.chunksDone, bytes: last.bytesRead };
      if (json) ctx.out(toJsonLine({ summary }));
      else {
        const what = `${summary.columns} columns, ${summary.chunks} chunks (${summary.bytes} bytes)`;
        ctx.out(problems.length === 0 ? `${path}: no problems (${what} checked)\n` : `${path}: ${problems.length} problem${problems.length === 1 ? "" : "s"} (${what} checked)\n`);
      }
      return problems.length === 0 ? EXIT.ok : EXIT.failed;
    } finally {
      location.close?.();
    }
  },
};
