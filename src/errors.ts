/**
 * The error family of ratzarr. Every failure the library reports is a
 * `RatZarrError` or one of its subclasses, with the key, column, row and
 * numbers in the message and as fields, and a machine-readable `code`:
 * code that reacts to an error asks `e.code`, never the message text.
 */

/**
 * Why an operation failed, for programs:
 * - `exists`: a node (column, array, group, RAT) is already there;
 * - `missing`: a node that should be there is not (or an optional dependency a path needs: the AWS SDK for s3://);
 * - `conflict`: other writers kept changing a key, retries ran out;
 * - `bounds`: rows, sizes or counts outside what is allowed;
 * - `type`: a value of the wrong type (an array type, a non-string in a string block);
 * - `read-only`: a change through a read-only handle or store;
 * - `invalid`: an argument or option that is not acceptable (a name, a number);
 * - `not-a-rat`: a path that holds something that is not a RAT (left untouched);
 * - `metadata`, `codec`, `store`: a `zarr.json`, a chunk, or a store operation failed;
 * - `closed`: the handle was closed; `aborted`: the caller's signal aborted the call.
 */
export type ErrorCode = "exists" | "missing" | "conflict" | "bounds" | "type" | "read-only" | "invalid" | "not-a-rat" | "metadata" | "codec" | "store" | "closed" | "aborted";

/** Options every ratzarr error takes: a cause, and a code where the class has several. */
export interface ErrorOptions {
  readonly cause?: unknown;
  readonly code?: ErrorCode | undefined;
}

/** Base class of every error ratzarr throws on purpose. */
export class RatZarrError extends Error {
  override name = "RatZarrError";
  readonly code: ErrorCode;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? "invalid";
  }
}

/** A `zarr.json` document that is missing, malformed or not understood. `file` is its store key, `key` the JSON key at fault. */
export class MetadataError extends RatZarrError {
  override name = "MetadataError";
  readonly file: string;
  readonly key: string | undefined;
  constructor(file: string, key: string | undefined, message: string, options?: { cause?: unknown }) {
    super(`${file}${key === undefined ? "" : ` (key "${key}")`}: ${message}`, { cause: options?.cause, code: "metadata" });
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
    super(`codec ${codec}, chunk "${chunkKey}": ${message}`, { cause: options?.cause, code: "codec" });
    this.codec = codec;
    this.chunkKey = chunkKey;
  }
}

/** A store operation that failed (I/O error, refused key: `code` "store"; the caller's signal aborted it: "aborted"). */
export class StoreError extends RatZarrError {
  override name = "StoreError";
  readonly key: string;
  constructor(key: string, message: string, options?: ErrorOptions) {
    super(`store key "${key}": ${message}`, { cause: options?.cause, code: options?.code ?? "store" });
    this.key = key;
  }
}

/** A request outside what an array or RAT holds: rows past the end, sizes too large (`code` "bounds"); a wrong array or element type (`code` "type"). */
export class BoundsError extends RatZarrError {
  override name = "BoundsError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { cause: options?.cause, code: options?.code ?? "bounds" });
  }
}

/** A node (group, array, RAT) that was expected and is not there (`code` "missing"), is there and should not be ("exists"), or is not a RAT ("not-a-rat"). */
export class NodeError extends RatZarrError {
  override name = "NodeError";
  readonly path: string;
  constructor(path: string, message: string, options: ErrorOptions & { readonly code: "exists" | "missing" | "not-a-rat" }) {
    super(`"${path}": ${message}`, options);
    this.path = path;
  }
}

/** A change requested through a handle opened read-only. */
export class ReadOnlyError extends RatZarrError {
  override name = "ReadOnlyError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause, code: "read-only" });
  }
}

/**
 * `value` as an error message shows it: JSON-like text with bigints as their digits, NaN,
 * Infinity and -0 as such, control characters and lone surrogates escaped, cut to about
 * `maxLength` characters. It never throws: no `toString`, `toJSON` or getter of the value runs,
 * so a message can quote whatever a file or a caller supplied (`JSON.stringify` throws on a
 * bigint, `String()` on an object whose "toString" is data).
 */
export function showValue(value: unknown, maxLength = 120): string {
  let text = "";
  // False once the text is long enough: callers stop adding.
  const put = (s: string): boolean => (text += s).length <= maxLength;
  const visit = (v: unknown, depth: number): boolean => {
    switch (typeof v) {
      case "string": return put(quoteForMessage(v, maxLength));
      case "number": return put(Object.is(v, -0) ? "-0" : String(v));
      case "bigint": return put(v.toString());
      case "boolean": return put(v ? "true" : "false");
      case "undefined": return put("undefined");
      case "symbol": return put(`Symbol(${quoteForMessage(v.description ?? "", maxLength)})`);
      case "function": return put("a function");
    }
    if (v === null) return put("null");
    const o = v as object;
    if (ArrayBuffer.isView(o)) return put(`${nameOf(o)}(${"length" in o ? (o as { length: number }).length : o.byteLength})`);
    const array = Array.isArray(o);
    const proto = Object.getPrototypeOf(o);
    if (!array && proto !== Object.prototype && proto !== null) return put(`a ${nameOf(o)}`);
    if (depth >= 8) return put(array ? "[…]" : "{…}");
    if (!put(array ? "[" : "{")) return false;
    const keys = array ? undefined : Object.keys(o);
    const count = array ? (o as unknown[]).length : keys!.length;
    for (let i = 0; i < count; i++) {
      if (i > 0 && !put(", ")) return false;
      const key = array ? String(i) : keys![i]!;
      if (!array && !put(`${quoteForMessage(key, maxLength)}: `)) return false;
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (!(d === undefined ? put("<empty>") : "value" in d ? visit(d.value, depth + 1) : put("<getter>"))) return false;
    }
    return put(array ? "]" : "}");
  };
  try {
    visit(value, 0);
  } catch {
    // A proxy's traps may throw: say what it is, nothing more.
    return typeof value;
  }
  if (text.length <= maxLength) return text;
  // Cut, but never between the two halves of a surrogate pair.
  let cut = maxLength;
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/**
 * A string in double quotes, JSON escapes for quotes, backslashes, control characters and
 * lone surrogates; a string too long for a message of `max` characters is cut, with its length.
 */
function quoteForMessage(s: string, max: number): string {
  let out = '"';
  const n = s.length <= max ? s.length : Math.max(8, max - 32);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) out += s[i]! + s[++i]!;
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += s[i];
  }
  return n < s.length ? `${out}…" (${s.length} characters)` : `${out}"`;
}

/** The constructor name of an object, or "object" (never runs a getter it cannot avoid). */
function nameOf(o: object): string {
  const proto = Object.getPrototypeOf(o) as object | null;
  const ctor = proto === null ? undefined : Object.getOwnPropertyDescriptor(proto, "constructor");
  const name = ctor !== undefined && "value" in ctor && typeof ctor.value === "function" ? (ctor.value as { name?: unknown }).name : undefined;
  return typeof name === "string" && name !== "" ? name : "object";
}
