/**
 * A store on the local filesystem (Node only; import it from "ratzarr/fs").
 * Each key is a file under the root folder. Writes go to a temporary file
 * that is then renamed over the key, so a crash never leaves a torn chunk;
 * keys that would escape the root are refused.
 */
import { mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import * as nodePath from "node:path";
import type { DirListing, GetOptions, Store, StoreOptions } from "./store.js";
import { StoreError } from "../errors.js";

/** Suffix of in-flight temporary files; `list` never shows them. */
const TMP_SUFFIX = ".ratzarr-tmp";

export interface FileSystemStoreOptions {
  /** Refuse every write. */
  readonly readOnly?: boolean;
  /** fsync each file before renaming it into place (survives power loss, costs time). Default false: a process crash is already safe. */
  readonly fsync?: boolean;
}

/** A `Store` kept in a folder of the local filesystem. */
export class FileSystemStore implements Store {
  readonly root: string;
  readonly readOnly: boolean;
  private readonly fsync: boolean;

  constructor(root: string, options: FileSystemStoreOptions = {}) {
    this.root = nodePath.resolve(root);
    this.readOnly = options.readOnly ?? false;
    this.fsync = options.fsync ?? false;
  }

  /** The file path of `key`, or a `StoreError` for a key that is empty, absolute or escapes the root. */
  path(key: string): string {
    if (key === "") return this.root;
    if (key.startsWith("/") || key.includes("\\") || key.includes("\0") || /^[a-zA-Z]:/.test(key)) {
      throw new StoreError(key, "key must be a relative path without backslashes or NUL");
    }
    for (const part of key.split("/")) {
      if (part === "" || part === "." || part === "..") throw new StoreError(key, `key has an empty, "." or ".." segment`);
    }
    return nodePath.join(this.root, ...key.split("/"));
  }

  async get(key: string, options: GetOptions = {}): Promise<Uint8Array | undefined> {
    const file = this.path(key);
    try {
      if (options.range === undefined) {
        const b = await readFile(file, { signal: options.signal });
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      }
      aborted(key, options);
      const fh = await open(file, "r");
      try {
        const size = (await fh.stat()).size;
        const r = options.range;
        const start = "suffix" in r ? Math.max(0, size - r.suffix) : Math.min(r.offset, size);
        const end = "suffix" in r ? size : Math.min(size, r.offset + r.length);
        const out = new Uint8Array(Math.max(0, end - start));
        let done = 0;
        while (done < out.length) {
          const { bytesRead } = await fh.read(out, done, out.length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return out.subarray(0, done);
      } finally {
        await fh.close();
      }
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR") || isCode(e, "EISDIR")) return undefined;
      throw wrap(key, "read failed", e);
    }
  }

  async set(key: string, value: Uint8Array, options: StoreOptions = {}): Promise<void> {
    this.writable(key);
    const file = this.path(key);
    aborted(key, options);
    const tmp = `${file}.${randomBytes(6).toString("hex")}${TMP_SUFFIX}`;
    try {
      await mkdir(nodePath.dirname(file), { recursive: true });
      if (this.fsync) {
        const fh = await open(tmp, "w");
        try {
          await fh.writeFile(value);
          await fh.sync();
        } finally {
          await fh.close();
        }
      } else {
        await writeFile(tmp, value);
      }
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw wrap(key, "write failed", e);
    }
  }

  async delete(key: string, options: StoreOptions = {}): Promise<void> {
    this.writable(key);
    aborted(key, options);
    try {
      await unlink(this.path(key));
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return;
      throw wrap(key, "delete failed", e);
    }
  }

  async *list(prefix: string, options: StoreOptions = {}): AsyncIterable<string> {
    aborted(prefix, options);
    // Walk the deepest folder the prefix names in full, then filter by the rest.
    const slash = prefix.lastIndexOf("/");
    const dir = slash < 0 ? "" : prefix.slice(0, slash);
    if (dir !== "") this.path(dir);
    yield* this.walk(dir, prefix, options);
  }

  private async *walk(dir: string, prefix: string, options: StoreOptions): AsyncIterable<string> {
    aborted(prefix, options);
    let entries;
    try {
      entries = await readdir(dir === "" ? this.root : this.path(dir), { withFileTypes: true });
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return;
      throw wrap(dir, "list failed", e);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const key = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(key + "/")) yield* this.walk(key, prefix, options);
      } else if (!entry.name.endsWith(TMP_SUFFIX) && key.startsWith(prefix)) {
        yield key;
      }
    }
  }

  async listDir(prefix: string, options: StoreOptions = {}): Promise<DirListing> {
    aborted(prefix, options);
    const keys: string[] = [];
    const prefixes: string[] = [];
    try {
      const entries = await readdir(this.path(prefix), { withFileTypes: true });
      for (const e of entries) {
        if (e.isDirectory()) prefixes.push(e.name);
        else if (!e.name.endsWith(TMP_SUFFIX)) keys.push(e.name);
      }
    } catch (e) {
      if (!(isCode(e, "ENOENT") || isCode(e, "ENOTDIR"))) throw wrap(prefix, "list failed", e);
    }
    return { keys: keys.sort(), prefixes: prefixes.sort() };
  }

  /** Remove every key under the folder `prefix` and the folder itself. */
  async deleteDir(prefix: string, options: StoreOptions = {}): Promise<void> {
    this.writable(prefix);
    aborted(prefix, options);
    await rm(this.path(prefix), { recursive: true, force: true });
  }

  private writable(key: string): void {
    if (this.readOnly) throw new StoreError(key, "the store is read-only");
  }
}

function aborted(key: string, options: StoreOptions): void {
  if (options.signal?.aborted) throw new StoreError(key, "aborted", { cause: options.signal.reason });
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === code;
}

function wrap(key: string, what: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  if (code === "ABORT_ERR") return new StoreError(key, "aborted", { cause: e });
  return new StoreError(key, `${what}${typeof code === "string" ? ` (${code})` : ""}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
