/**
 * Values as the text of a CSV cell, and back. Every value reads back as the
 * same value: floats in their shortest round-trip form (float32 the shortest
 * that rounds back to the same float32), `-0` kept, NaN and the infinities
 * as `NaN`, `Infinity`, `-Infinity` (what Python's `float()`, pandas and
 * ratzarr's own `--json` read); 64-bit integers as exact decimal text; bool
 * as `true`/`false`; strings as they are.
 */
import type { ArrayFor, DataType } from "../../data-types.js";

/** A float64 as the shortest text that reads back as the same number. */
export function float64Text(v: number): string {
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

/** A float32 (held as a number) as the shortest text that rounds back to the same float32. */
export function float32Text(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return float64Text(v);
  for (let p = 1; p < 9; p++) {
    const n = Number(v.toPrecision(p));
    if (Math.fround(n) === v) return String(n);
  }
  return String(v);
}

/** The text of element `i` of a block of `dtype`, as a function chosen once per column. */
export function elementTexts(dtype: DataType): (values: ArrayFor<DataType>, i: number) => string {
  switch (dtype) {
    case "string":
      return (values, i) => (values as string[])[i]!;
    case "bool":
      return (values, i) => ((values as Uint8Array)[i] ? "true" : "false");
    case "float64":
      return (values, i) => float64Text((values as Float64Array)[i]!);
    case "float32":
    case "float16":
      return (values, i) => float32Text((values as Float32Array)[i]!);
    default:
      // Integers, 64-bit ones as bigint: String() is exact for both.
      return (values, i) => String(values[i]);
  }
}

/** Text that reads as a float: a decimal or exponent number, or NaN / [+-]Infinity / [+-]inf (any case). */
const FLOAT = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)$/i;
/** Text that reads as an integer. */
const INTEGER = /^[+-]?\d+$/;

/** The number a float cell holds, or undefined when it is not one. The empty cell is NaN (pandas writes NaN so). */
export function parseFloatText(text: string): number | undefined {
  const t = text.trim();
  if (t === "") return NaN;
  if (!FLOAT.test(t)) return undefined;
  const lower = t.toLowerCase().replace(/^\+/, "");
  if (lower === "nan" || lower === "-nan") return NaN;
  if (lower === "inf" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  return Number(t);
}

/** The integer a cell holds, exact, or undefined when it is not one. */
export function parseIntegerText(text: string): bigint | undefined {
  const t = text.trim();
  return INTEGER.test(t) ? BigInt(t) : undefined;
}

/** The bool a cell holds: true/false in any case, or undefined. */
export function parseBoolText(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  return t === "true" ? true : t === "false" ? false : undefined;
}
