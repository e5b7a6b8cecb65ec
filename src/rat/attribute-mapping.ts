/**
 * A RAT's or a column's attributes as a mapping: reads come from the last
 * snapshot; every change re-reads the stored attributes, applies itself and
 * writes the result, so changes to other keys made meanwhile by another
 * handle survive. Keys ratzarr manages can be read, never set or deleted here.
 */
import type { JsonObject, JsonValue } from "../codecs/codec.js";
import { RatZarrError, showValue } from "../errors.js";
import { MAX_JSON_DEPTH } from "../format/json.js";

/** Attribute keys ratzarr manages itself. */
export const MANAGED_KEYS: readonly string[] = ["ROWCOUNT", "CHUNKSIZE", "MODIFICATIONLOG"];

/** What a mapping needs from the node that holds the attributes. */
export interface AttributeHolder {
  readonly attributes: JsonObject;
  refresh(): Promise<void>;
  updateAttributes(change: (attributes: JsonObject) => JsonObject): Promise<JsonObject>;
}

/** Check that `value` can be stored as JSON; `where` names it in the error. */
export function checkJsonValue(value: unknown, where: string): asserts value is JsonValue {
  const seen = new Set<object>();
  const visit = (v: unknown, path: string, depth = 0): void => {
    // Bounded like the parser: what could be written could not be read back.
    if (depth > MAX_JSON_DEPTH) throw new RatZarrError(`${where}: nested deeper than ${MAX_JSON_DEPTH} levels, which zarr.json readers refuse`);
    if (v === null || typeof v === "string" || typeof v === "boolean" || typeof v === "number" || typeof v === "bigint") return;
    if (typeof v === "object") {
      if (seen.has(v)) throw new RatZarrError(`${where}: ${path} refers to itself and cannot be stored as JSON`);
      seen.add(v);
      if (Array.isArray(v)) {
        // Every index, holes included: a hole is undefined, refused below like any undefined.
        for (let i = 0; i < v.length; i++) visit(v[i], `${path}[${i}]`, depth + 1);
      } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
        for (const [k, x] of Object.entries(v)) visit(x, `${path}.${k}`, depth + 1);
      } else {
        throw new RatZarrError(`${where}: ${path} is ${showValue(v)}, not a plain JSON value`);
      }
      seen.delete(v);
      return;
    }
    throw new RatZarrError(`${where}: ${path} is ${typeof v}, not a JSON value`);
  };
  visit(value, "value");
}

/** A live view of one node's attributes. */
export class AttributeMapping {
  constructor(
    private readonly holder: AttributeHolder,
    /** For messages: `RAT` or `column "area"`. */
    readonly owner: string,
    private readonly checkWritable: () => void,
  ) {}

  private get snapshot(): JsonObject {
    return this.holder.attributes;
  }

  /** The value of `key` in the last snapshot (a copy), or undefined. */
  get(key: string): JsonValue | undefined {
    const v = Object.hasOwn(this.snapshot, key) ? this.snapshot[key] : undefined;
    return v === undefined ? undefined : structuredClone(v);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.snapshot, key);
  }

  keys(): string[] {
    return Object.keys(this.snapshot);
  }

  entries(): [string, JsonValue][] {
    return Object.entries(structuredClone(this.snapshot));
  }

  get size(): number {
    return this.keys().length;
  }

  /** A copy of every attribute. */
  toJSON(): JsonObject {
    return structuredClone(this.snapshot);
  }

  [Symbol.iterator](): IterableIterator<[string, JsonValue]> {
    return this.entries()[Symbol.iterator]();
  }

  /** Re-read the stored attributes. */
  async refresh(): Promise<void> {
    await this.holder.refresh();
  }

  /** Store `value` under `key`. */
  async set(key: string, value: JsonValue): Promise<void> {
    await this.update({ [key]: value });
  }

  /** Store every entry of `values`. */
  async update(values: JsonObject | Iterable<[string, JsonValue]>): Promise<void> {
    const entries = Symbol.iterator in values ? [...(values as Iterable<[string, JsonValue]>)] : Object.entries(values);
    this.checkWritable();
    for (const [key, value] of entries) {
      this.checkKey(key);
      checkJsonValue(value, `${this.owner} attribute "${key}"`);
    }
    await this.holder.updateAttributes((attrs) => {
      for (const [key, value] of entries) Object.defineProperty(attrs, key, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
      return attrs;
    });
  }

  /** Remove `key`; returns whether it was there. */
  async delete(key: string): Promise<boolean> {
    this.checkWritable();
    this.checkKey(key);
    let had = false;
    await this.holder.updateAttributes((attrs) => {
      had = Object.hasOwn(attrs, key);
      delete attrs[key];
      return attrs;
    });
    return had;
  }

  private checkKey(key: string): void {
    if (typeof key !== "string") throw new RatZarrError(`${this.owner}: attribute keys must be strings`);
    if (MANAGED_KEYS.includes(key)) throw new RatZarrError(`${this.owner}: attribute "${key}" is managed by ratzarr and cannot be changed through a mapping`);
  }
}
