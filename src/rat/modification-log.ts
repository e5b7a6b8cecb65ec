/**
 * The MODIFICATIONLOG attribute of a column (FORMAT.md, Layout): one entry
 * `[isoTimeUTC, user, argv]` per column per writing handle.
 */
import type { JsonValue } from "../codecs/codec.js";
import { MetadataError } from "../errors.js";

/** One log entry: UTC time to the second as "YYYY-MM-DDTHH:MM:SS+00:00", user, command line. */
export type ModificationEvent = [isoTime: string, user: string, argv: string[]];

/** The time as Python's `datetime.now(UTC).isoformat(timespec="seconds")` writes it. */
export function isoSeconds(now: Date): string {
  return now.toISOString().slice(0, 19) + "+00:00";
}

/** A new entry for `now`. */
export function modificationEvent(now: Date, user: string, argv: readonly string[]): ModificationEvent {
  return [isoSeconds(now), user, [...argv]];
}

/** The log stored at `file`, checked: a list of [string, string, string[]] (missing → empty). */
export function parseModificationLog(value: JsonValue | undefined, file: string): ModificationEvent[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MetadataError(file, "MODIFICATIONLOG", "must be a list");
  return value.map((e, i) => {
    if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== "string" || typeof e[1] !== "string" || !Array.isArray(e[2]) || !e[2].every((a) => typeof a === "string")) {
      throw new MetadataError(file, "MODIFICATIONLOG", `entry ${i} is not [time, user, [argv...]]`);
    }
    return [e[0], e[1], e[2] as string[]];
  });
}
