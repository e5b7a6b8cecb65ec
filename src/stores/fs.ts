/**
 * A store on the local filesystem (Node only; import it from "ratzarr/fs").
 * Each key is a file under the root folder. Writes go to a temporary file
 * that is then renamed over the key, so a crash never leaves a torn chunk;
 * keys that would escape the root are refused.
 *
 * Changes take a per-key lock file so that writers in several processes take
 * turns; the lock files, and the names of all the store's own files (which
 * start with "__" and are never keys), live in `fs-lock.ts`.
 */
import { mkdir, open, readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { renameSync, statSync, writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import type { DirListing, GetOptions, Store, StoreOptions, VersionedValue } from "./store.js";
import { StoreError } from "../errors.js";
import { aborted, isCode, wrap } from "./fs-errors.js";
import { isInternalName, LockFiles, type LockFileOptions, tempFileOf } from "./fs-lock.js";

/**
 * Files smaller than this are written with one synchronous call (without fsync): 100000-row
 * float64 writes, each storing a chunk of 0.1-0.5 MB, spent ~1 ms a block waiting on the
 * threadpool (README, "Performance"). Larger ones go through the threadpool, so a 100 MB
 * string chunk does not stop the event loop while it is written.
 */
const SYNC_WRITE_BELOW = 1 << 20;

/** Options of a `FileSystemStore`: the lock settings of `LockFileOptions`, and these. */
export interface FileSystemStoreOptions extends LockFileOptions {
  /** Refuse every write. */
  readonly readOnly?: boolean;
  /** fsync each file before renaming it into place (survives power loss, costs time). Default false: a process crash is already safe. */
  readonly fsync?: boolean;
}

/**
 * A `Store` kept in a folder of the local filesystem.
 * Several stores, in this process or others, may share a folder: every change takes the key's lock file
 * (unless `locking` is off), and `setIfVersion`/`deleteIfVersion` always do.
 */
export class FileSystemStore implements Store {
  /** The absolute path of the store's folder. */
  readonly root: string;
  /** True when every write is refused. */
  readonly readOnly: boolean;
  private readonly fsync: boolean;
  /** Folders this store made or found, so a write skips mkdir (saves a system call per chunk). */
  private readonly dirs = new Set<string>();
  private readonly locks: LockFiles;

  /** A store of the folder `root` (made on the first write); `options` as `FileSystemStoreOptions` says. */
  constructor(root: string, options: FileSystemStoreOptions = {}) {
    this.root = nodePath.resolve(root);
    this.readOnly = options.readOnly ?? false;
    this.fsync = options.fsync ?? false;
    // The lock files make their records' folders through this store's folder cache.
    this.locks = new LockFiles(options, (dir, op) => this.inDir(dir, op));
  }

  /** The file path of `key`, or a `StoreError` for a key that is empty, absolute, escapes the root or names one of the store's own files. */
  path(key: string): string {
    if (key === "") return this.root;
    if (key.startsWith("/") || key.includes("\\") || key.includes("\0") || /^[a-zA-Z]:/.test(key)) {
      throw new StoreError(key, "key must be a relative path without backslashes or NUL");
    }
    for (const part of key.split("/")) {
      if (part === "" || part === "." || part === "..") throw new StoreError(key, `key has an empty, "." or ".." segment`);
      if (isInternalName(part)) throw new StoreError(key, `key segment "${part}" has the form of the store's own lock and temporary files`);
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
        const st = await fh.stat();
        if (st.isDirectory()) throw folderError(key, file);
        const size = st.size;
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
      // ENOTDIR: a file where a folder of the path should be, as when probing "RAT/somefile/zarr.json".
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return undefined;
      // A folder is not a missing key: read as one, a chunk would show fill values where data was.
      if (isCode(e, "EISDIR")) throw folderError(key, file, e);
      throw wrap(key, "read failed", e);
    }
  }

  async set(key: string, value: Uint8Array, options: StoreOptions = {}): Promise<void> {
    this.writable(key);
    aborted(key, options);
    await this.withLock(key, options, () => this.replace(key, value));
  }

  /** Write `value` to a temporary file and rename it over the key's file. */
  private async replace(key: string, value: Uint8Array): Promise<void> {
    const file = this.path(key);
    const tmp = tempFileOf(file);
    try {
      await this.inDir(nodePath.dirname(file), () => this.writeTemp(tmp, value));
      // Synchronous: a rename is one metadata change, cheaper than a threadpool round trip.
      renameSync(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw wrap(key, "write failed", e);
    }
  }

  private async writeTemp(tmp: string, value: Uint8Array): Promise<void> {
    if (this.fsync) {
      const fh = await open(tmp, "w");
      try {
        await fh.writeFile(value);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } else if (value.byteLength < SYNC_WRITE_BELOW) {
      // A small write lands in the page cache at once: a threadpool round trip costs more.
      writeFileSync(tmp, value);
    } else {
      await writeFile(tmp, value);
    }
  }

  /**
   * Run `op` (which creates a file in `dir`), making `dir` first unless this store knows it
   * exists, and once more after ENOENT (another process removed the folder meanwhile).
   */
  private async inDir<R>(dir: string, op: () => Promise<R>): Promise<R> {
    if (!this.dirs.has(dir)) await this.makeDir(dir);
    try {
      return await op();
    } catch (e) {
      if (!isCode(e, "ENOENT")) throw e;
      this.dirs.delete(dir);
      await this.makeDir(dir);
      return op();
    }
  }

  private async makeDir(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      // EEXIST here means a file stands where the folder must be.
      // Without a `code`, so that callers name their key and never take it for a held lock.
      throw new Error(`cannot create folder ${dir} (${(e as { code?: string }).code ?? "error"})`, { cause: e });
    }
    this.dirs.add(dir);
  }

  async delete(key: string, options: StoreOptions = {}): Promise<void> {
    this.writable(key);
    aborted(key, options);
    await this.withLock(key, options, () => this.remove(key));
  }

  private async remove(key: string): Promise<void> {
    const file = this.path(key);
    try {
      await unlink(file);
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return;
      if (isCode(e, "EISDIR")) throw folderError(key, file, e);
      throw wrap(key, "delete failed", e);
    }
  }

  /** The version of the key's file as it is now: inode, modification time in ns and size (a rename always changes it). */
  private async currentVersion(key: string): Promise<string | null> {
    const file = this.path(key);
    let st;
    try {
      // Synchronous, as the lock's small steps are: one stat.
      st = statSync(file, { bigint: true });
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return null;
      throw wrap(key, "stat failed", e);
    }
    if (st.isDirectory()) throw folderError(key, file);
    return `${st.ino}-${st.mtimeNs}-${st.size}`;
  }

  async getVersioned(key: string, options: StoreOptions = {}): Promise<VersionedValue | undefined> {
    aborted(key, options);
    const file = this.path(key);
    let fh;
    try {
      fh = await open(file, "r");
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return undefined;
      if (isCode(e, "EISDIR")) throw folderError(key, file, e);
      throw wrap(key, "read failed", e);
    }
    try {
      // Version and bytes from the same open file: a rename in between cannot mix them.
      const st = await fh.stat({ bigint: true });
      if (st.isDirectory()) throw folderError(key, file);
      const b = await fh.readFile();
      return { data: new Uint8Array(b.buffer, b.byteOffset, b.byteLength), version: `${st.ino}-${st.mtimeNs}-${st.size}` };
    } catch (e) {
      throw wrap(key, "read failed", e);
    } finally {
      await fh.close();
    }
  }

  async setIfVersion(key: string, value: Uint8Array, expected: string | null, options: StoreOptions = {}): Promise<string | undefined> {
    this.writable(key);
    aborted(key, options);
    return this.withLock(key, options, async () => {
      if ((await this.currentVersion(key)) !== expected) return undefined;
      await this.replace(key, value);
      return (await this.currentVersion(key)) ?? undefined;
    }, true);
  }

  async deleteIfVersion(key: string, expected: string, options: StoreOptions = {}): Promise<boolean> {
    this.writable(key);
    aborted(key, options);
    return this.withLock(key, options, async () => {
      if ((await this.currentVersion(key)) !== expected) return false;
      await this.remove(key);
      return true;
    }, true);
  }

  /**
   * Remove what killed writers left under the folder `prefix` ("" for the whole store): lock
   * and break files whose process is gone from this host or that are older than
   * `staleLockMs`; the temporary files of a key whose lock was such (removed while holding
   * that lock); and any temporary file older than `staleLockMs` or holding the lock record
   * of a dead process. A live writer's fresh files are never touched, so this is safe while
   * others write. Writers break stale locks and clean up after them on their own; this is
   * for stores written with `locking: false` and for checks of a whole store.
   * Resolves with the paths removed, relative to the root, sorted.
   */
  async removeLeftovers(prefix: string, options: StoreOptions = {}): Promise<string[]> {
    this.writable(prefix);
    aborted(prefix, options);
    return (await this.locks.sweep(this.path(prefix), prefix, options)).sort();
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
      } else if (!isInternalName(entry.name) && key.startsWith(prefix)) {
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
        else if (!isInternalName(e.name)) keys.push(e.name);
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

  /** Run `fn` under the lock of `key`; `always` locks even with `locking` off (conditional writes need it). */
  private async withLock<R>(key: string, options: StoreOptions, fn: () => Promise<R>, always = false): Promise<R> {
    // Its lock would lie outside the root.
    if (key === "") throw new StoreError(key, "the empty key is the root folder, not a file");
    return this.locks.withLock(key, this.path(key), options, fn, always);
  }

  private writable(key: string): void {
    if (this.readOnly) throw new StoreError(key, "the store is read-only", { code: "read-only" });
  }
}

function folderError(key: string, file: string, cause?: unknown): StoreError {
  return new StoreError(key, `${file} is a folder, not a file`, { cause });
}
