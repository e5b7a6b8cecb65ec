/**
 * The `ratzarr` dispatcher: `ratzarr [--json] [--debug] <command> [args]`.
 * It owns what every command shares: `--help` (all commands, or one with its
 * usage and example), the global `--json` and `--debug` flags (accepted
 * anywhere before `--`), one-line errors (`ratzarr: <message>`, the stack
 * only with `--debug`), the exit statuses (`EXIT`) and Ctrl-C, which aborts
 * the command's signal and exits 130 once the command has cleaned up.
 */
import type { Command, CommandContext } from "./command.js";
import { commands } from "./commands/index.js";
import { EXIT, isParseArgsError, UsageError } from "./usage-error.js";
import { type BarStream, type Progress, progressBar, type ProgressSpec, silentProgress } from "./progress.js";

/** Where a run writes, and the signal that stops it. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly interactive: boolean;
  readonly signal: AbortSignal;
  /** Where progress bars are drawn when `interactive` (standard error); none: no bars. */
  readonly barStream?: BarStream;
}

const GLOBAL_HELP = `Global options (anywhere before "--"):
  --json     machine output: one JSON document (shapes in each command's --help)
  --debug    on an error, print the stack trace too
  --help     this list, or a command's usage and example: ratzarr <command> --help

Exit status: 0 done, 1 the command failed (or found a problem), 2 usage error,
130 stopped by Ctrl-C.
`;

/** `ratzarr --help`. */
function overview(list: readonly Command[]): string {
  const w = Math.max(...list.map((c) => c.name.length));
  return `Usage: ratzarr <command> [args] [--json] [--debug]\n\nRaster attribute tables as Zarr v3 groups: PATH is a local path, file://, s3:// or (read-only commands) https:// URL.\n\nCommands:\n${list.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}\n`).join("")}\n${GLOBAL_HELP}`;
}

/** `ratzarr <command> --help`. */
function commandHelp(c: Command): string {
  return `Usage: ${c.usage}\n\n${c.summary}\n\nExample:\n${c.example.replace(/^/gm, "  ")}\n\n${GLOBAL_HELP}`;
}

/** The global flags taken out of `argv` (before a "--"), and what is left. */
function splitGlobals(argv: readonly string[]): { rest: string[]; json: boolean; debug: boolean; help: boolean } {
  const rest: string[] = [];
  let json = false, debug = false, help = false, done = false;
  for (const a of argv) {
    if (!done && a === "--") done = true;
    if (done) rest.push(a);
    else if (a === "--json") json = true;
    else if (a === "--debug") debug = true;
    else if (a === "--help" || a === "-h") help = true;
    else rest.push(a);
  }
  return { rest, json, debug, help };
}

/** An error as the one line (or, with `--debug`, the stack) the user sees. */
function describeError(e: unknown, debug: boolean): string {
  if (debug && e instanceof Error && e.stack !== undefined) {
    let text = e.stack;
    for (let c = e.cause, depth = 0; c !== undefined && depth < 5; c = c instanceof Error ? c.cause : undefined, depth++) {
      text += `\ncaused by: ${c instanceof Error ? (c.stack ?? c.message) : String(c)}`;
    }
    return `ratzarr: ${text}\n`;
  }
  const message = e instanceof Error ? e.message : String(e);
  return `ratzarr: ${message.replace(/\s*\n\s*/g, " ")}\n`;
}

/**
 * Run one command line (the arguments after `ratzarr`) and resolve with the exit status.
 * Never throws: every error is printed on `io.err` and becomes status 1 (or 2 for usage errors).
 */
export async function main(argv: readonly string[], io: CliIO, list: readonly Command[] = commands): Promise<number> {
  const { rest, json, debug, help } = splitGlobals(argv);
  const [name, ...args] = rest;
  if (name === undefined) {
    if (help) {
      io.out(overview(list));
      return EXIT.ok;
    }
    io.err(`ratzarr: missing command\n${overview(list)}`);
    return EXIT.usage;
  }
  const command = list.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`ratzarr: unknown command "${name}" (one of ${list.map((c) => c.name).join(", ")}; ratzarr --help lists them)\n`);
    return EXIT.usage;
  }
  if (help) {
    io.out(commandHelp(command));
    return EXIT.ok;
  }
  const bars = io.interactive && !json ? io.barStream : undefined;
  const progress = (spec: ProgressSpec): Progress => (bars === undefined ? silentProgress : progressBar(bars, spec));
  const ctx: CommandContext = { argv: args, json, signal: io.signal, out: io.out, err: io.err, interactive: io.interactive, progress };
  try {
    return await command.run(ctx);
  } catch (e) {
    if (io.signal.aborted) {
      io.err("ratzarr: interrupted\n");
      return EXIT.interrupted;
    }
    if (e instanceof UsageError || isParseArgsError(e)) {
      io.err(`ratzarr ${command.name}: ${e instanceof Error ? e.message : String(e)}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    io.err(describeError(e, debug));
    return EXIT.failed;
  }
}

/**
 * The process around `main`: real standard streams, Ctrl-C wired to the signal (a second
 * Ctrl-C exits at once), and the exit status set once output has drained.
 */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort(new Error("interrupted (Ctrl-C)"));
  };
  process.on("SIGINT", onSigint);
  // A closed pipe (`ratzarr head ... | head -1`) ends the output, not the command with a stack.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT.ok);
  });
  const status = await main(argv, {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    interactive: process.stderr.isTTY === true,
    barStream: process.stderr,
    signal: controller.signal,
  });
  process.off("SIGINT", onSigint);
  process.exitCode = controller.signal.aborted ? EXIT.interrupted : status;
}
