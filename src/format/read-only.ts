/**
 * The read-only policy of the format layer, in one place: a handle opened
 * read-only, or a store that refuses writes, refuses every change before
 * any byte moves.
 */
import type { Store } from "../stores/store.js";
import { ReadOnlyError } from "../errors.js";

/** Throw a `ReadOnlyError` with `message` when the handle (`readOnly`) or its store is read-only. */
export function refuseIfReadOnly(readOnly: boolean | undefined, store: Store, message: string): void {
  if (readOnly === true || store.readOnly === true) throw new ReadOnlyError(message);
}
