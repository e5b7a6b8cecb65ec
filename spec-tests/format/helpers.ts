/** Small helpers of the format tests: temporary folders, reading and editing stored `zarr.json` files, a store that records writes. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectKeys, type Store, type StoreOptions } from "../../src/stores/store.js";
import { parseJson, stringifyJson } from "../../src/format/json.js";
import type { JsonObject } from "../../src/codecs/codec.js";

const dirs: string[] = [];

/** A new temporary folder, removed by `cleanup`. */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "ratzarr-format-"));
  dirs.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The text stored at `key`. */
export async function text(store: Store, key: string): Promise<string> {
  const b = await store.get(key);
  if (b === undefined) throw new Error(`${key} is not stored`);
  return new TextDecoder().decode(b);
}

/** Every key of the store, sorted. */
export async function keys(store: Store, prefix = ""): Promise<string[]> {
  return (await collectKeys(store.list(prefix))).sort();
}

/** Parse, change and write back the JSON document at `key` (Python-style, as zarr-python would). */
export async function editJson(store: Store, key: string, change: (doc: JsonObject) => void): Promise<void> {
  const doc = parseJson(await text(store, key), key) as JsonObject;
  change(doc);
  await store.set(key, new TextEncoder().encode(stringifyJson(doc)));
}

/** Write `value` as JSON at `key`. */
export async function putJson(store: Store, key: string, doc: JsonObject): Promise<void> {
  await store.set(key, new TextEncoder().encode(stringifyJson(doc)));
}

/** One write a `RecordingStore` saw. */
export interface Write {
  readonly op: "set" | "setIfVersion" | "delete" | "deleteIfVersion" | "deleteDir";
  readonly key: string;
  /** setIfVersion: the version expected (null: create only if absent). */
  readonly expected?: string | null;
}

/** A store that passes every call to `inner` and records each write, in order. */
export function recording(inner: Store): { store: Store; writes: Write[] } {
  const writes: Write[] = [];
  const store: Store = {
    get: (k, o) => inner.get(k, o),
    list: (p, o) => inner.list(p, o),
    listDir: (p, o) => inner.listDir(p, o),
    set: (k, v, o) => (writes.push({ op: "set", key: k }), inner.set(k, v, o)),
    delete: (k, o) => (writes.push({ op: "delete", key: k }), inner.delete(k, o)),
    ...(inner.getVersioned !== undefined ? { getVersioned: (k: string, o?: StoreOptions) => inner.getVersioned!(k, o) } : {}),
    ...(inner.setIfVersion !== undefined ? { setIfVersion: (k: string, v: Uint8Array, e: string | null, o?: StoreOptions) => (writes.push({ op: "setIfVersion", key: k, expected: e }), inner.setIfVersion!(k, v, e, o)) } : {}),
    ...(inner.deleteIfVersion !== undefined ? { deleteIfVersion: (k: string, e: string, o?: StoreOptions) => (writes.push({ op: "deleteIfVersion", key: k, expected: e }), inner.deleteIfVersion!(k, e, o)) } : {}),
    ...(inner.deleteDir !== undefined ? { deleteDir: (p: string, o?: StoreOptions) => (writes.push({ op: "deleteDir", key: p }), inner.deleteDir!(p, o)) } : {}),
  };
  return { store, writes };
}

export const quiet = { onWarning: () => undefined, provenance: { user: "auditor", argv: ["prog", "--x"] } };
