/**
 * One value of a column as text for a table: strings as they are, or quoted
 * (JSON style) when they hold a separator, a quote or nothing at all, so that
 * a table cell always reads back as one value; `bool` as true/false; 64-bit
 * integers exact; a width>1 row as `[a, b, c]`.
 */

/** A string that would not read as one table cell: empty, or with white space, a comma, a quote or a bracket. */
const NEEDS_QUOTES = /^$|[\s,"'[\]\\]|\p{C}/u;

/** One element as table text. */
export function showElement(v: unknown, bool: boolean): string {
  if (typeof v === "string") return NEEDS_QUOTES.test(v) ? JSON.stringify(v) : v;
  if (bool) return v ? "true" : "false";
  return String(v);
}

/** Row `row` (a flat index into `values` of `width` values per row) as table text. */
export function showRow(values: ArrayLike<unknown>, row: number, width: number, bool: boolean): string {
  if (width === 1) return showElement(values[row], bool);
  const parts: string[] = [];
  for (let i = 0; i < width; i++) parts.push(showElement(values[row * width + i], bool));
  return `[${parts.join(", ")}]`;
}

/** Row `row` as a `--json` value: a value, or an array of `width` values; bool as true/false. */
export function jsonRow(values: ArrayLike<unknown>, row: number, width: number, bool: boolean): unknown {
  const one = (v: unknown): unknown => (bool ? v === 1 : v);
  if (width === 1) return one(values[row]);
  return Array.from({ length: width }, (_, i) => one(values[row * width + i]));
}
