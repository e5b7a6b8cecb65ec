/** GDAL exchange: a RAT to and from GDAL's own XML form (PAM `.aux.xml`, VRT band). Runtime-agnostic. */
export { exportAuxXml, exportVrt } from "./aux-export.js";
export type { AuxExportOptions, AuxExportSummary, ExportedField, TextSink, VrtRaster } from "./aux-export.js";
export { importAuxXml } from "./aux-import.js";
export type { AuxImportOptions, AuxImportSummary, ImportedField, XmlSource } from "./aux-import.js";
export { GDAL_FIELD_TYPES } from "./field-types.js";
export type { FieldTypeChoices, GdalFieldType } from "./field-types.js";
