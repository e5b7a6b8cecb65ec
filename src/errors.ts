/**
 * The error family of ratzarr. Every failure the library reports is a
 * `RatZarrError` or one of its subclasses, with the key, column, row and
 * numbers in the message and as fields.
 */

/** Base class of every error ratzarr throws on purpose. */
export class RatZarrError extends Error {
  override name = "RatZarrError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A `zarr.json` document that is missing, malformed or not understood. `file` is its store key, `key` the JSON key at fault. */
export class MetadataError extends RatZarrError {
  override name = "MetadataError";
  readonly file: string;
  readonly key: string | undefined;
  constructor(file: string, key: string | undefined, message: string, options?: { cause?: unknown }) {
    super(`${file}${key === undefined ? "" : ` (key "${key}")`}: ${message}`, options);
    this.file = file;
    this.key = key;
  }
}

/** A chunk that a codec cannot encode or decode: truncated, corrupt, or claiming impossible sizes. */
export class CodecError extends RatZarrError {
  override name = "CodecError";
  readonly codec: string;
  readonly chunkKey: string;
  constructor(codec: string, chunkKey: string, message: string, options?: { cause?: unknown }) {
    super(`codec ${codec}, chunk "${chunkKey}": ${message}`, options);
    this.codec = codec;
    this.chunkKey = chunkKey;
  }
}

/** A store operation that failed (I/O error, refused key, aborted call). */
export class StoreError extends RatZarrError {
  override name = "StoreError";
  readonly key: string;
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super(`store key "${key}": ${message}`, options);
    this.key = key;
  }
}

/** A request outside what an array or RAT holds: rows past the end, wrong array type, wrong length. */
export class BoundsError extends RatZarrError {
  override name = "BoundsError";
}

/** A node (group, array, RAT) that was expected and is not there, or is there and should not be. */
export class NodeError extends RatZarrError {
  override name = "NodeError";
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`"${path}": ${message}`, options);
    this.path = path;
  }
}

/** A change requested through a handle opened read-only. */
export class ReadOnlyError extends RatZarrError {
  override name = "ReadOnlyError";
}
