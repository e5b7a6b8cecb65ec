/**
 * The inputs the applier's function sees: `await inputs.seg.area` reads
 * column "area" of input RAT "seg" for this block on first touch, once per
 * block (RIOS reads in `__getattr__`; here a property whose value is a
 * promise). A column touched in one block is read ahead for the next block
 * of the loop while the function still works on this one. A column named
 * `then` cannot be read this way (`await` probes that name on any object).
 */
import type { ArrayFor, DataType } from "../../data-types.js";
import { RatZarrError, showValue } from "../../errors.js";
import type { RatZarr } from "../rat-zarr.js";
import type { BlockState } from "./block-state.js";

/** Any column block: a typed array, or `string[]` for strings. */
export type ColumnArray = ArrayFor<DataType>;
/** Column types by column name, for typing blocks: `{ area: "float64" }`. */
export type ColumnTypes = Readonly<Record<string, DataType>>;
/** Column types by RAT name: `{ seg: { area: "float64" } }`. */
export type RatColumnTypes = Readonly<Record<string, ColumnTypes>>;

/** The input blocks of one call: `await inputs.seg.area` (typed by `I` where given). */
export type InputBlocks<I extends RatColumnTypes = RatColumnTypes> = {
  readonly [R in keyof I]: { readonly [C in keyof I[R]]: Promise<ArrayFor<I[R][C]>> };
};

/** What a proxy must not pretend to have: `await` probes `then`, and symbols are the runtime's. */
export const isReserved = (key: string | symbol): key is symbol | "then" => typeof key === "symbol" || key === "then";

/** The reads of the input RATs, block by block, with the read-ahead of the next block. */
export class InputReader {
  /** Blocks of this block, by "rat/column": each read once. */
  private current = new Map<string, Promise<ColumnArray>>();
  /** Blocks of this block read ahead during the previous one, not yet touched. */
  private prefetched = new Map<string, Promise<ColumnArray>>();
  /** Blocks of the next block read ahead during this one. */
  private ahead = new Map<string, Promise<ColumnArray>>();
  private state: BlockState | undefined;
  private next: BlockState | undefined;
  /** Column reads issued (each a `readBlock`), read-ahead included. */
  reads = 0;

  constructor(
    private readonly rats: ReadonlyMap<string, RatZarr>,
    private readonly readAhead: boolean,
  ) {}

  /** Start block `state`; `next` is the block after it in this loop (undefined at the end). */
  begin(state: BlockState, next: BlockState | undefined): void {
    this.state = state;
    this.next = next;
    this.current = new Map();
    // What was read ahead for a column the function did not touch again is dropped here.
    this.prefetched = this.ahead;
    this.ahead = new Map();
  }

  /** Forget every block held (the loop ended or failed). */
  clear(): void {
    this.current.clear();
    this.prefetched.clear();
    this.ahead.clear();
  }

  private readAt(rat: RatZarr, column: string, s: BlockState): Promise<ColumnArray> {
    this.reads++;
    return rat.readBlock(column, s.startRow, s.blockLen);
  }

  /** Column `column` of input `name` for this block: read on first call, the same promise after. */
  read(name: string, column: string): Promise<ColumnArray> {
    const state = this.state;
    if (state === undefined) throw new RatZarrError(`input "${name}", column "${column}": read outside the applier's function`);
    const rat = this.rats.get(name)!;
    const key = `${name}/${column}`;
    let p = this.current.get(key);
    if (p !== undefined) return p;
    p = this.prefetched.get(key) ?? this.readAt(rat, column, state);
    this.prefetched.delete(key);
    // A block touched and never awaited (or dropped by a failing function) must not become an
    // unhandled rejection; whoever awaits it still gets the error.
    p.catch(() => undefined);
    this.current.set(key, p);
    const next = this.next;
    if (this.readAhead && next !== undefined && !this.ahead.has(key)) {
      const q = this.readAt(rat, column, next);
      // Reported, if it fails, by the read of the next block that takes it; never unhandled.
      q.catch(() => undefined);
      this.ahead.set(key, q);
    }
    return p;
  }

  /** The object the function gets as `inputs`. */
  view<I extends RatColumnTypes>(): InputBlocks<I> {
    const names = [...this.rats.keys()];
    const perRat = new Map(names.map((name) => [name, new Proxy({}, {
      get: (_t, column) => (isReserved(column) ? undefined : this.read(name, column)),
      set: (_t, column) => {
        throw new RatZarrError(`input "${name}": cannot assign column ${showValue(String(column))}; assign outputs, not inputs`);
      },
      has: () => false,
    })]));
    return new Proxy({}, {
      get: (_t, name) => {
        if (isReserved(name)) return undefined;
        const rat = perRat.get(name);
        if (rat === undefined) throw new RatZarrError(`no input RAT named ${showValue(name)} (inputs: ${names.map((n) => `"${n}"`).join(", ") || "none"})`);
        return rat;
      },
      has: (_t, name) => typeof name === "string" && perRat.has(name),
      ownKeys: () => names,
      getOwnPropertyDescriptor: (_t, name) => (typeof name === "string" && perRat.has(name) ? { configurable: true, enumerable: true, value: perRat.get(name) } : undefined),
    }) as InputBlocks<I>;
  }
}
