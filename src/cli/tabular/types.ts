/**
 * `--type name=TYPE,...`: the column types an import is told instead of
 * inferring them (CSV) or taking the file's (Parquet).
 */
import type { ColumnDataType } from "../../rat/options.js";
import { UsageError } from "../usage-error.js";

/** Every type a column can be created with. */
export const COLUMN_TYPES: readonly ColumnDataType[] = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string"];

/** `a=int32,b=string` (the option may also be given more than once) as a map. */
export function parseTypes(given: readonly string[]): Map<string, ColumnDataType> {
  const types = new Map<string, ColumnDataType>();
  for (const item of given.flatMap((g) => g.split(","))) {
    if (item.trim() === "") continue;
    const eq = item.lastIndexOf("=");
    const name = item.slice(0, eq).trim();
    const type = item.slice(eq + 1).trim();
    if (eq <= 0 || name === "") throw new UsageError(`--type needs NAME=TYPE, got "${item}"`);
    if (!(COLUMN_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type ${name}=${type}: unknown type "${type}" (one of ${COLUMN_TYPES.join(", ")})`);
    types.set(name, type as ColumnDataType);
  }
  return types;
}

/** A `--type` naming a column the file does not have is a usage error. */
export function checkTypeNames(types: ReadonlyMap<string, ColumnDataType>, names: readonly string[], file: string): void {
  for (const name of types.keys()) {
    if (!names.includes(name)) throw new UsageError(`--type ${name}=${types.get(name)!}: ${file} has no column "${name}" (it has ${names.map((n) => `"${n}"`).join(", ")})`);
  }
}
