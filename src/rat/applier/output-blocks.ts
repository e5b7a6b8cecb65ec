/**
 * The outputs the applier's function fills: `outputs.out.area = block`
 * records the block for column "area" of output RAT "out" (RIOS's
 * `__setattr__`); the applier writes every recorded block once the function
 * returns. Reading `outputs.out.area` gives back what was assigned in this
 * block. Assigning anything but a column array is an error at once.
 */
import type { ArrayFor, DataType } from "../../data-types.js";
import { describeArray, withArticle } from "../../data-types.js";
import { BoundsError, RatZarrError, showValue } from "../../errors.js";
import { type ColumnArray, isReserved, type RatColumnTypes } from "./input-blocks.js";

/** The output blocks of one call: assign `outputs.out.area = new Float64Array(...)` (typed by `O` where given). */
export type OutputBlocks<O extends RatColumnTypes = RatColumnTypes> = {
  readonly [R in keyof O]: { -readonly [C in keyof O[R]]: ArrayFor<O[R][C]> | undefined };
};

/** True for the arrays a column takes: a typed array of a column type, or an array (of strings; checked when written). */
export function isColumnArray(v: unknown): v is ColumnArray {
  if (Array.isArray(v)) return true;
  return v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint32Array
    || v instanceof Int16Array || v instanceof Uint16Array || v instanceof Int8Array || v instanceof Uint8Array && !(v instanceof Uint8ClampedArray)
    || v instanceof BigInt64Array || v instanceof BigUint64Array;
}

/** The data type a new column takes from the first block assigned to it (a `Uint8Array` is uint8; declare bool columns). */
export function dataTypeOf(v: ColumnArray): Exclude<DataType, "float16" | "bool"> {
  if (Array.isArray(v)) return "string";
  if (v instanceof Float64Array) return "float64";
  if (v instanceof Float32Array) return "float32";
  if (v instanceof Int32Array) return "int32";
  if (v instanceof Uint32Array) return "uint32";
  if (v instanceof Int16Array) return "int16";
  if (v instanceof Uint16Array) return "uint16";
  if (v instanceof Int8Array) return "int8";
  if (v instanceof BigInt64Array) return "int64";
  if (v instanceof BigUint64Array) return "uint64";
  return "uint8";
}

/** The blocks assigned in one call, by output RAT and column, in order of assignment. */
export type Assigned = Map<string, Map<string, ColumnArray>>;

/** Collects what the function assigns to the outputs, block by block. */
export class OutputCollector {
  private assigned: Assigned = new Map();
  private open = false;

  constructor(private readonly names: readonly string[]) {}

  /** Start a block: nothing assigned yet. */
  begin(): void {
    this.assigned = new Map();
    this.open = true;
  }

  /** End the block: what was assigned, handed over; later assignments are errors. */
  take(): Assigned {
    this.open = false;
    const out = this.assigned;
    this.assigned = new Map();
    return out;
  }

  private assign(name: string, column: string, value: unknown): void {
    if (!this.open) throw new RatZarrError(`output "${name}", column "${column}": assigned after the applier's function returned (an un-awaited promise?)`);
    if (!isColumnArray(value)) {
      const got = ArrayBuffer.isView(value) ? `a ${describeArray(value)}` : withArticle(describeArray(value));
      throw new BoundsError(`output "${name}", column "${column}": a block must be a typed array of a column type or an array of strings, got ${got}`, { code: "type" });
    }
    let cols = this.assigned.get(name);
    if (cols === undefined) this.assigned.set(name, (cols = new Map()));
    cols.set(column, value);
  }

  /** The object the function gets as `outputs`. */
  view<O extends RatColumnTypes>(): OutputBlocks<O> {
    const perRat = new Map(this.names.map((name) => [name, new Proxy({}, {
      get: (_t, column) => (isReserved(column) ? undefined : this.assigned.get(name)?.get(column)),
      set: (_t, column, value) => {
        if (typeof column === "symbol") throw new RatZarrError(`output "${name}": column names are strings, got ${String(column)}`);
        this.assign(name, column, value);
        return true;
      },
      deleteProperty: (_t, column) => {
        if (typeof column === "string") this.assigned.get(name)?.delete(column);
        return true;
      },
      has: (_t, column) => typeof column === "string" && this.assigned.get(name)?.has(column) === true,
    })]));
    return new Proxy({}, {
      get: (_t, name) => {
        if (isReserved(name)) return undefined;
        const rat = perRat.get(name);
        if (rat === undefined) throw new RatZarrError(`no output RAT named ${showValue(name)} (outputs: ${this.names.map((n) => `"${n}"`).join(", ") || "none"})`);
        return rat;
      },
      set: (_t, name) => {
        throw new RatZarrError(`outputs.${String(name)}: assign columns of an output RAT (outputs.${String(name)}.column = block), not the RAT itself`);
      },
      has: (_t, name) => typeof name === "string" && perRat.has(name),
      ownKeys: () => [...this.names],
      getOwnPropertyDescriptor: (_t, name) => (typeof name === "string" && perRat.has(name) ? { configurable: true, enumerable: true, value: perRat.get(name) } : undefined),
    }) as OutputBlocks<O>;
  }
}
