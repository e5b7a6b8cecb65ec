/**
 * GDAL's RAT field types (`GDALRATFieldType`, `GFT_*`) and how a column's
 * Zarr data type maps to one and back, as GDAL's `.aux.xml` holds them
 * (`<Type>` is the enum number; GDAL 3.12+ adds `typeAsString`).
 */
import type { DataType } from "../data-types.js";
import type { GdalUsage } from "../rat/gdal-meaning.js";

/** GDAL's field types at the index of their `GFT_*` number. Boolean, DateTime and WKBGeometry exist from GDAL 3.12. */
export const GDAL_FIELD_TYPES = ["Integer", "Real", "String", "Boolean", "DateTime", "WKBGeometry"] as const;

/** A GDAL field type by name. */
export type GdalFieldType = (typeof GDAL_FIELD_TYPES)[number];

/** How `exportAuxXml` writes columns GDAL has no exact type for. */
export interface FieldTypeChoices {
  /**
   * `bool` columns: "integer" (default; 0 and 1, readable by every GDAL) or "boolean"
   * (GDAL 3.12+'s `GFT_Boolean`, "true"/"false"; GDAL before 3.12 refuses the whole table).
   */
  readonly booleans?: "integer" | "boolean";
  /**
   * `int64`, `uint64`, `uint32` columns: "integer" (default; GDAL's Integer is 32-bit signed, so a
   * value outside it is written clamped, with a warning) or "real" (a double, exact up to 2^53,
   * with a warning beyond).
   */
  readonly wideIntegers?: "integer" | "real";
}

/** The GDAL field type a column of `dtype` is exported as. */
export function gdalTypeOf(dtype: DataType, choices: FieldTypeChoices = {}): GdalFieldType {
  switch (dtype) {
    case "bool":
      return choices.booleans === "boolean" ? "Boolean" : "Integer";
    case "int8":
    case "int16":
    case "int32":
    case "uint8":
    case "uint16":
      return "Integer";
    case "uint32":
    case "int64":
    case "uint64":
      return choices.wideIntegers === "real" ? "Real" : "Integer";
    case "float16":
    case "float32":
    case "float64":
      return "Real";
    case "string":
      return "String";
  }
}

/** Usages for which GDAL makes a column Integer whatever its stored type (its `CreateColumn`). */
export const INTEGER_USAGES: ReadonlySet<GdalUsage> = new Set(["Red", "Green", "Blue", "Alpha"]);

/** The column type an imported GDAL field becomes, and whether it is kept as text only (types GDAL has that Zarr RATs have not). */
export function columnTypeOf(type: GdalFieldType, usage: GdalUsage): { dtype: "int32" | "float64" | "string" | "bool"; asText: boolean } {
  // GDAL reads colour columns as Integer whatever <Type> says: so must we, to read back what GDAL reads.
  if (INTEGER_USAGES.has(usage)) return { dtype: "int32", asText: false };
  switch (type) {
    case "Integer":
      return { dtype: "int32", asText: false };
    case "Real":
      return { dtype: "float64", asText: false };
    case "String":
      return { dtype: "string", asText: false };
    case "Boolean":
      return { dtype: "bool", asText: false };
    case "DateTime":
    case "WKBGeometry":
      return { dtype: "string", asText: true };
  }
}
