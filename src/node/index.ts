/**
 * The package's entry on Node (and Deno and Bun, which resolve the "node"
 * export condition): the runtime-agnostic core of src/index.ts, with the
 * Node platform installed so that local paths, the OS user and
 * `process.argv` work in `RatZarr`.
 */
import { setPlatform } from "../rat/platform.js";
import { setZstdBackend } from "../codecs/zstd-backend.js";
import { nodePlatform } from "./platform.js";
import { nativeZstd } from "./zstd-native.js";

setPlatform(nodePlatform);
// Native libzstd when the optional dependency built; the WASM one otherwise.
setZstdBackend(nativeZstd);

export * from "../index.js";
export { FileSystemStore } from "../stores/fs.js";

export type { FileSystemStoreOptions } from "../stores/fs.js";
