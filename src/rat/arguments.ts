/**
 * The checks of the RAT API's own arguments, where JavaScript callers can pass
 * anything: counts, paths and column names. Each failure is a `RatZarrError`
 * quoting the value safely (`showValue`).
 */
import type { Store } from "../stores/store.js";
import { RatZarrError, showValue } from "../errors.js";

/** Throw unless `value` is a safe integer of at least `min`; `what` names it. */
export function checkCount(value: number, what: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RatZarrError(`${what} must be an integer >= ${min}, got ${showValue(value)}`);
}

/** A RAT path as the caller gave it: a string or a `Store` (JavaScript callers can pass anything). */
export function checkPath(path: unknown): void {
  if (typeof path === "string") return;
  const p = path as Partial<Store> | null;
  if (typeof p === "object" && p !== null && typeof p.get === "function" && typeof p.list === "function") return;
  throw new RatZarrError(`a RAT path must be a string (a path or URL) or a Store, got ${showValue(path)}`, { code: "invalid" });
}

/** A column name as the caller gave it, checked to be a string first: every message quotes it. */
export function columnName(name: unknown): string {
  if (typeof name !== "string") throw new RatZarrError(`a column name must be a string, got ${showValue(name)}`);
  return name;
}
