/**
 * Zarr v3 node-name rules (spec: "Node names"), the ones zarr-python
 * enforces: not empty, no "/", not only dots, not starting with "__",
 * and not "zarr.json".
 */
import { RatZarrError } from "../errors.js";

/** Why `name` is not a valid node name, or undefined when it is. */
export function nodeNameProblem(name: string): string | undefined {
  if (name.length === 0) return "a node name must not be empty";
  if (name.includes("/")) return "a node name must not contain '/'";
  if (name.includes("\\")) return "a node name must not contain '\\'";
  if (/^\.+$/.test(name)) return "a node name must not consist only of dots";
  if (name.startsWith("__")) return "a node name must not start with '__'";
  if (name === "zarr.json") return "a node name must not be 'zarr.json'";
  if (/[\u0000-\u001f]/.test(name)) return "a node name must not contain control characters";
  // A lone surrogate has no UTF-8 form: it would be stored as U+FFFD and listed back as another name.
  if (!name.isWellFormed()) return "a node name must be well-formed Unicode (it has a lone surrogate)";
  return undefined;
}

/** Throw a `RatZarrError` when `name` is not a valid node name. `what` says what was being named. */
export function checkNodeName(name: string, what = "node"): void {
  const problem = nodeNameProblem(name);
  if (problem !== undefined) throw new RatZarrError(`invalid ${what} name ${JSON.stringify(name)}: ${problem}`);
}

/** Join store path parts with "/", skipping empty parts. */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}
