/**
 * ratzarr: very large raster attribute tables as Zarr v3 groups. This entry
 * is the runtime-agnostic core (Node, browsers, Deno, Bun, workers); the
 * filesystem store is in "ratzarr/fs".
 */
export { RatZarrError, MetadataError, CodecError, StoreError, BoundsError, NodeError, ReadOnlyError } from "./errors.js";
export { DATA_TYPES, isDataType, allocate } from "./data-types.js";
export type { DataType, NumericDataType, ArrayFor, ArrayTypes, ChunkData, TypedArray, FillValue } from "./data-types.js";
export type { Codec, CodecMetadata, ChunkSpec, CodecContext, ArrayToArrayCodec, ArrayToBytesCodec, BytesToBytesCodec, JsonValue, JsonObject } from "./codecs/codec.js";
export { CodecRegistry, standardCodecs } from "./codecs/registry.js";
export type { CodecFactory, CodecEnv } from "./codecs/registry.js";
export { CodecPipeline } from "./codecs/pipeline.js";
export type { Store, StoreOptions, GetOptions, ByteRange, DirListing } from "./stores/store.js";
export type { S3PathOptions, S3RetryOptions } from "./stores/s3-options.js";
export { MemoryStore } from "./stores/memory.js";
export { HttpStore } from "./stores/http.js";
export type { HttpStoreOptions, HttpRetryOptions, HttpFetch } from "./stores/http.js";
export { ZarrArray, DEFAULT_CACHE_BYTES, DEFAULT_CONCURRENCY, defaultFillValue } from "./format/array.js";
export type { ArrayOptions, CreateArrayOptions } from "./format/array.js";
export { ZarrGroup, readNodeMetadata } from "./format/group.js";
export { LruChunkCache } from "./format/chunk-cache.js";
export type { ChunkCache } from "./format/chunk-cache.js";
export { parseNodeMetadata, parseArrayMetadata, parseGroupMetadata, stringifyArrayMetadata, stringifyGroupMetadata, defaultCodecs } from "./format/metadata.js";
export type { ArrayMetadata, GroupMetadata, NodeMetadata, ChunkKeyEncoding } from "./format/metadata.js";
export { parseJson, stringifyJson } from "./format/json.js";
export { RatZarr, RatColumn, RAT_GROUP, DEFAULT_CHUNK_SIZE, AttributeMapping, MANAGED_KEYS, webPlatform, webRuntime, storeLocation } from "./rat/index.js";
export type { RatZarrOptions, ColumnDataType, ModificationEvent, Platform, RatLocation, Runtime } from "./rat/index.js";
export { applyBlocks, copyRat, ratChunkSize, partitionFromEnv, partitionBlocks, BlockState, DEFAULT_BLOCK_LEN, PARTITION_INDEX_VARIABLES } from "./rat/applier/index.js";
export type { ApplyBlocksOptions, ApplyBlocksResult, BlockFunction, BlockProgress, CopyRatOptions, ColumnArray, ColumnTypes, InputBlocks, OutputBlocks, RatColumnTypes, RatSource, ColumnSpec, RowCountMode, Partition, PartitionVariables } from "./rat/applier/index.js";
export { GDAL_USAGES, GDAL_TABLE_TYPES, GDAL_ATTRIBUTES, isGdalUsage, clearLinearBinning } from "./rat/gdal-meaning.js";
export type { GdalUsage, GdalTableType, LinearBinning, RowOfValueOptions } from "./rat/gdal-meaning.js";
export { wasmZstd } from "./codecs/zstd-backend.js";
export type { ZstdBackend } from "./codecs/zstd-backend.js";
