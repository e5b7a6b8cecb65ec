export { RatZarr, RAT_GROUP, DEFAULT_CHUNK_SIZE } from "./rat-zarr.js";
export type { RatZarrOptions, ColumnDataType } from "./rat-zarr.js";
export { AttributeMapping, MANAGED_KEYS } from "./attribute-mapping.js";
export type { ModificationEvent } from "./modification-log.js";
export { setPlatform, platform } from "./platform.js";
export type { Platform } from "./platform.js";
export type { RatLocation } from "./location.js";
export { storeLocation } from "./location.js";
