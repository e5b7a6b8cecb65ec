/**
 * Aligned plain-text tables: a header row, then one row per record, columns
 * separated by two spaces; numbers right-aligned, everything else left.
 * Widths count code points, so accented names line up.
 */

/** One cell: its text, and whether it is right-aligned (a number). */
export interface Cell {
  readonly text: string;
  readonly right?: boolean;
}

const width = (s: string): number => [...s].length;

/** The table as lines ending in "\n"; trailing spaces trimmed. */
export function formatTable(header: readonly string[], rows: readonly (readonly (Cell | string)[])[]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "string" ? { text: c } : c)));
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i]?.text ?? ""))));
  const line = (r: readonly Cell[]): string =>
    r.map((c, i) => {
      const pad = " ".repeat(widths[i]! - width(c.text));
      return c.right === true ? pad + c.text : c.text + pad;
    }).join("  ").trimEnd() + "\n";
  return line(header.map((h, i) => ({ text: h, right: cells[0]?.[i]?.right ?? false }))) + cells.map(line).join("");
}
