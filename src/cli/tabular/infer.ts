/**
 * Column types of a text table (CSV), and its cells turned into typed
 * arrays. The inference rule, over every cell of a column (all the
 * `name[i]` cells of a width>1 column together):
 *
 *   every cell true/false (any case)                 → bool
 *   every cell an integer within int32               → int32
 *   ... within int64                                 → int64
 *   ... non-negative within uint64                   → uint64
 *   every cell a number (int or float, NaN, Infinity,
 *     inf; an empty cell is NaN) with one non-empty  → float64
 *   anything else (also all cells empty)             → string
 *
 * An integer beyond uint64 makes the column a string rather than a float64
 * that would round it. `--type name=TYPE` overrides the rule for a column.
 */
import { allocate, type ArrayFor, type DataType } from "../../data-types.js";
import { BoundsError } from "../../errors.js";
import type { ColumnDataType } from "../../rat/options.js";
import { parseBoolText, parseFloatText, parseIntegerText } from "./text.js";

const INT_RANGES = {
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
} as const;

/** What the cells of one column seen so far allow. */
export class TypeGuess {
  private bool = true;
  private int = true;
  private float = true;
  private empty = false;
  private filled = false;
  // Integers up to 15 digits are tracked as numbers (exact), longer ones as bigints: BigInt() per cell is slow.
  private lo = 0;
  private hi = 0;
  private bigLo = 0n;
  private bigHi = 0n;

  /** Take one more cell into account. */
  see(text: string): void {
    if (text === "") {
      this.empty = true;
      return;
    }
    this.filled = true;
    if (this.bool && parseBoolText(text) === undefined) this.bool = false;
    if (this.int) {
      const t = text.trim();
      if (t.length <= 15 && /^[+-]?\d+$/.test(t)) {
        const n = Number(t);
        if (n < this.lo) this.lo = n;
        if (n > this.hi) this.hi = n;
      } else {
        const b = parseIntegerText(t);
        if (b === undefined) this.int = false;
        else {
          if (b < this.bigLo) this.bigLo = b;
          if (b > this.bigHi) this.bigHi = b;
        }
      }
    }
    if (this.float && !this.int && parseFloatText(text) === undefined) this.float = false;
  }

  /** The type the rule (file comment) gives. */
  result(): ColumnDataType {
    if (!this.filled) return "string";
    if (this.bool && !this.empty) return "bool";
    if (this.int && !this.empty) {
      const lo = BigInt(this.lo) < this.bigLo ? BigInt(this.lo) : this.bigLo;
      const hi = BigInt(this.hi) > this.bigHi ? BigInt(this.hi) : this.bigHi;
      for (const t of ["int32", "int64", "uint64"] as const) if (lo >= INT_RANGES[t][0] && hi <= INT_RANGES[t][1]) return t;
      return "string";
    }
    if (this.int || this.float) return "float64";
    return "string";
  }
}

/**
 * A cell that is not a value of its column's type, thrown by a `cellWriter`; the reader that
 * knows where the cell is (a CSV line, a Parquet row) makes it a `BoundsError` with `cellError`.
 */
export class CellProblem {
  constructor(readonly text: string, readonly why: string) {}
}

/** `p` as the error the user sees: file, place ("line 7", "row 6"), column, value and why. */
export function cellError(p: CellProblem, file: string, at: string, column: string): BoundsError {
  return new BoundsError(`${file} ${at}, column "${column}": ${JSON.stringify(p.text)} ${p.why}`, { code: "type" });
}

const notA = (dtype: DataType): string => `is not ${/^int/.test(dtype) ? "an" : "a"} ${dtype}`;

/** A function storing the value of cell text at index `i` of an array of `dtype` (throws a `CellProblem`). */
export function cellWriter(dtype: ColumnDataType): (out: ArrayFor<DataType>, i: number, text: string) => void {
  switch (dtype) {
    case "string":
      return (out, i, text) => void ((out as string[])[i] = text);
    case "bool":
      return (out, i, text) => {
        const b = parseBoolText(text);
        if (b === undefined) throw new CellProblem(text, "is not true or false");
        (out as Uint8Array)[i] = b ? 1 : 0;
      };
    case "float32":
    case "float64":
      return (out, i, text) => {
        const v = parseFloatText(text);
        if (v === undefined) throw new CellProblem(text, "is not a number");
        (out as Float64Array)[i] = v;
      };
    default: {
      const [lo, hi] = INT_RANGES[dtype];
      const [nlo, nhi] = [Number(lo), Number(hi)];
      const outside = (text: string): CellProblem => new CellProblem(text, `is outside ${dtype} (${lo} to ${hi})`);
      if (dtype === "int64" || dtype === "uint64") {
        return (out, i, text) => {
          const v = parseIntegerText(text);
          if (v === undefined) throw new CellProblem(text, notA(dtype));
          if (v < lo || v > hi) throw outside(text);
          (out as BigInt64Array)[i] = v;
        };
      }
      // Up to 32 bits a number holds every value exactly: no bigint per cell.
      return (out, i, text) => {
        const t = text.trim();
        if (!/^[+-]?\d+$/.test(t)) throw new CellProblem(text, notA(dtype));
        const v = Number(t);
        if (v < nlo || v > nhi) throw outside(text);
        (out as Int32Array)[i] = v;
      };
    }
  }
}

/** A new array of `rows * width` elements of `dtype`. */
export function blockArray(dtype: ColumnDataType, rows: number, width: number): ArrayFor<DataType> {
  return allocate(dtype, rows * width);
}
