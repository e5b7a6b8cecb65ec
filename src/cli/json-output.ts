/**
 * `--json` output: one document per command, with the two kinds of value
 * `JSON.stringify` cannot write made explicit: 64-bit integers (a number when
 * it is a safe integer, else its exact decimal string) and non-finite floats
 * (the strings "NaN", "Infinity", "-Infinity", as Zarr writes fill values).
 */

/** A value as it appears in `--json` output (see the file comment). */
export function jsonValue(v: unknown): unknown {
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return v;
}

/** `value` as one line of JSON and a newline. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => jsonValue(v)) + "\n";
}
