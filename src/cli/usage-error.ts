/**
 * A command line that cannot be run as given: an unknown command or option, a
 * missing or extra argument, a value that does not parse. The dispatcher
 * prints its one line and exits with status 2 (`EXIT.usage`).
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The exit statuses of every `ratzarr` command. */
export const EXIT = {
  /** Done, nothing wrong found. */
  ok: 0,
  /** The command failed, or (verify) found a problem. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing argument, bad value. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT), after cleaning up: 128 + signal 2, as shells report it. */
  interrupted: 130,
} as const;

/** True for the errors `node:util` `parseArgs` throws for a bad command line (ERR_PARSE_ARGS_*). */
export function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

/** The positional arguments of a command (PATH first), checked to be between `min` and `max` in number; the dispatcher adds the usage line. */
export function positionals(given: readonly string[], min: number, max: number, usage?: string): string[] {
  // The dispatcher prints the usage line after the message; `usage` names the command's arguments.
  const what = usage?.match(/[A-Z]+/g)?.[given.length] ?? "argument";
  if (given.length < min) throw new UsageError(`missing ${what}`);
  if (given.length > max) throw new UsageError(`unexpected argument "${given[max]!}"`);
  return [...given];
}
