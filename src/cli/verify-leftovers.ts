/**
 * What crashed writers leave in a local store's folder, which the store
 * itself never lists: lock and lock-breaking files (`__name.ratzarr-lock`,
 * `__name.ratzarr-break`, src/stores/fs-lock.ts) and temporary files
 * (`__name.<12 hex>.ratzarr-tmp`), each with its age and, for a lock, the
 * writer its record names. `verifyRat` (verify.ts) reports them.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import type { Dirent } from "node:fs";
import * as nodePath from "node:path";
import type { StoreOptions } from "../stores/store.js";
import { isInternalName } from "../stores/fs-lock.js";

/** One leftover file: its key (path under the store's folder), what it is, and its age. */
export interface Leftover {
  readonly kind: "temp-file" | "lock-file";
  readonly key: string;
  readonly message: string;
  readonly numbers: Readonly<Record<string, number>>;
}

/** A lock file's record as a writer of this library writes it (pid, host, time), described; undefined for text that is not one. */
function lockRecord(raw: string): { readonly text: string; readonly time: number | undefined } | undefined {
  let r: unknown;
  try {
    r = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof r !== "object" || r === null) return undefined;
  const { pid, host, time } = r as Record<string, unknown>;
  if (typeof pid !== "number" || typeof host !== "string") return undefined;
  const valid = typeof time === "number" && !Number.isNaN(new Date(time).getTime()) ? time : undefined;
  return { text: `taken by pid ${pid} on host ${host}${valid === undefined ? "" : ` at ${new Date(valid).toISOString()}`}`, time: valid };
}

/**
 * Walk the folder of a local store for its own files (never listed by the store): locks and
 * break files (`__name.ratzarr-lock`, `__name.ratzarr-break`) and temporary files
 * (`__name.<12 hex>.ratzarr-tmp`), each reported with its age.
 */
export async function findLeftovers(folder: string, dir: string, now: number, found: Leftover[], io: StoreOptions): Promise<void> {
  if (io.signal?.aborted) throw io.signal.reason;
  let entries: Dirent[];
  try {
    entries = await readdir(nodePath.join(folder, ...dir.split("/").filter((p) => p !== "")), { withFileTypes: true });
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return;
    throw e;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const key = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      await findLeftovers(folder, key, now, found, io);
      continue;
    }
    if (!isInternalName(entry.name)) continue;
    const path = nodePath.join(folder, ...key.split("/"));
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined) continue; // gone meanwhile
    const age = (since: number) => Math.max(0, Math.round(now - since));
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s old`;
    if (entry.name.endsWith(".ratzarr-tmp")) {
      const ageMs = age(st.mtimeMs);
      found.push({ kind: "temp-file", key, message: `temporary file of a writer, ${st.size} bytes, ${seconds(ageMs)}: left by a crashed writer unless one is writing now`, numbers: { ageMs, bytes: st.size } });
    } else {
      // A lock's age is its record's time (when it was taken), else the file's modification time.
      const record = lockRecord(st.size <= 4096 ? await readFile(path, "utf8").catch(() => "") : "");
      const ageMs = age(record?.time ?? st.mtimeMs);
      const what = entry.name.endsWith(".ratzarr-break") ? "lock-breaking file" : "lock file";
      found.push({ kind: "lock-file", key, message: `${what}, ${record?.text ?? "no record of a writer in it"}, ${seconds(ageMs)}: left by a crashed writer unless one is writing now`, numbers: { ageMs } });
    }
  }
}
