/** Temporary RAT paths for tests, removed after each suite. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as assert from "uvu/assert";
import { collectKeys, type Store } from "../../src/stores/store.js";

const dirs: string[] = [];

/** A path inside a new temporary folder (nothing exists at it yet). */
export function tempRatPath(name = "rat.zarr"): string {
  const d = mkdtempSync(join(tmpdir(), "ratzarr-rat-"));
  dirs.push(d);
  return join(d, name);
}

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Assert that `fn` rejects with an instance of `cls` whose message matches every pattern. */
export async function rejects(fn: () => Promise<unknown>, cls: abstract new (...a: never[]) => Error, ...patterns: RegExp[]): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof cls)) throw e;
    for (const p of patterns) assert.match((e as Error).message, p);
    return e as Error;
  }
  throw new assert.Assertion({ message: `expected a ${cls.name} matching ${patterns.join(", ")}`, operator: "rejects", expects: cls.name, actual: "no error", generated: false });
}

/** Every key under the store and its bytes (hex), for "nothing changed" checks on any backend. */
export async function snapshot(store: Store): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of (await collectKeys(store.list(""))).sort()) {
    const v = await store.get(key);
    out[key] = v === undefined ? "(vanished)" : Buffer.from(v).toString("hex");
  }
  return out;
}
