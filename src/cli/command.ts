/**
 * What every `ratzarr` subcommand is: a name, a one-line summary, a usage
 * line and an example for `--help`, and `run`, which parses its own
 * arguments (with `node:util` `parseArgs`) and returns the exit status. The
 * dispatcher (src/cli/main.ts) owns the conventions shared by all commands:
 * `--help`, `--json`, `--debug`, one-line errors, Ctrl-C.
 */

import type { Progress, ProgressSpec } from "./progress.js";

/** What a command gets from the dispatcher. */
export interface CommandContext {
  /** The arguments after the subcommand's name (global flags removed). */
  readonly argv: readonly string[];
  /** `--json`: machine output, one JSON document (or one per line, as the command documents). */
  readonly json: boolean;
  /** Aborted on Ctrl-C (SIGINT): stop cleanly, leave nothing half-made. */
  readonly signal: AbortSignal;
  /** Standard output and error, as functions so tests can capture them. */
  out(text: string): void;
  err(text: string): void;
  /** True when standard error is a terminal: only then may a progress bar be drawn. */
  readonly interactive: boolean;
  /**
   * A progress bar for long work: drawn on standard error only when it is a terminal and
   * the output is not `--json`, otherwise silent. Call `stop()` when done (also on failure).
   */
  progress(spec: ProgressSpec): Progress;
}

/** One subcommand. `run` resolves with the exit status (0: success). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly example: string;
  run(ctx: CommandContext): Promise<number>;
}
