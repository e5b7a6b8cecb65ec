/**
 * How the filesystem store and its lock files turn Node's errors into
 * `StoreError`s that name the key: shared by `fs.ts` and `fs-lock.ts`.
 */
import { StoreError } from "../errors.js";

/**
 * True when `e` is a Node system error with this `code` ("ENOENT", "EEXIST", …).
 * Codes, never message text, decide how a failure is handled.
 */
export function isCode(e: unknown, code: string): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === code;
}

/**
 * A `StoreError` for `key` saying `what` failed, with the system error's code and message.
 * A `StoreError` passes through unchanged, and Node's abort error becomes "aborted", as `aborted` says it.
 */
export function wrap(key: string, what: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  if (code === "ABORT_ERR") return new StoreError(key, "aborted", { cause: e, code: "aborted" });
  return new StoreError(key, `${what}${typeof code === "string" ? ` (${code})` : ""}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** The stores' one abort check (store.ts), under the name this store's files use. */
export { throwIfAborted as aborted } from "./store.js";
