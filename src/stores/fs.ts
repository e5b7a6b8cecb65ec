/**
 * A store on the local filesystem (Node only; import it from "ratzarr/fs").
 * Each key is a file under the root folder. Writes go to a temporary file
 * that is then renamed over the key, so a crash never leaves a torn chunk;
 * keys that would escape the root are refused.
 */
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import * as nodePath from "node:path";
import type { DirListing, GetOptions, Store, StoreOptions, VersionedValue } from "./store.js";
import { StoreError } from "../errors.js";

/** Suffix of in-flight temporary files; `list` never shows them. */
const TMP_SUFFIX = ".ratzarr-tmp";
/** Suffix of per-key lock files; `list` never shows them. */
const LOCK_SUFFIX = ".ratzarr-lock";
const HOST = hostname();

const isInternal = (name: string) => name.endsWith(TMP_SUFFIX) || name.endsWith(LOCK_SUFFIX) || name.includes(`${LOCK_SUFFIX}.stale-`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FileSystemStoreOptions {
  /** Refuse every write. */
  readonly readOnly?: boolean;
  /** fsync each file before renaming it into place (survives power loss, costs time). Default false: a process crash is already safe. */
  readonly fsync?: boolean;
  /**
   * Take a per-key lock file around every change (default true), so that conditional
   * writes from several processes never lose an update. Turn off only for a single writer.
   */
  readonly locking?: boolean;
  /** A lock older than this is taken to be left by a crashed writer (default 30 s); one held by a dead process on this host is stale at once. */
  readonly staleLockMs?: number;
  /** How long to wait for a lock before giving up with an error (default 60 s). */
  readonly lockTimeoutMs?: number;
}

/** A `Store` kept in a folder of the local filesystem. */
export class FileSystemStore implements Store {
  readonly root: string;
  readonly readOnly: boolean;
  private readonly fsync: boolean;
  private readonly locking: boolean;
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;
  /** Folders this store made or found, so a write skips mkdir (saves a system call per chunk). */
  private readonly dirs = new Set<string>();

  constructor(root: string, options: FileSystemStoreOptions = {}) {
    this.root = nodePath.resolve(root);
    this.readOnly = options.readOnly ?? false;
    this.fsync = options.fsync ?? false;
    this.locking = options.locking ?? true;
    this.staleLockMs = options.staleLockMs ?? 30_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
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
    aborted(key, options);
    await this.withLock(key, () => this.replace(key, value));
  }

  /** Write `value` to a temporary file and rename it over the key's file. */
  private async replace(key: string, value: Uint8Array): Promise<void> {
    const file = this.path(key);
    const tmp = `${file}.${randomBytes(6).toString("hex")}${TMP_SUFFIX}`;
    try {
      await this.inDir(nodePath.dirname(file), () => this.writeTemp(tmp, value));
      await rename(tmp, file);
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
    await this.withLock(key, () => this.remove(key));
  }

  private async remove(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return;
      throw wrap(key, "delete failed", e);
    }
  }

  /** The version of the key's file as it is now: inode, modification time in ns and size (a rename always changes it). */
  private async currentVersion(key: string): Promise<string | null> {
    try {
      const st = await stat(this.path(key), { bigint: true });
      return `${st.ino}-${st.mtimeNs}-${st.size}`;
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return null;
      throw wrap(key, "stat failed", e);
    }
  }

  async getVersioned(key: string, options: StoreOptions = {}): Promise<VersionedValue | undefined> {
    aborted(key, options);
    let fh;
    try {
      fh = await open(this.path(key), "r");
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR") || isCode(e, "EISDIR")) return undefined;
      throw wrap(key, "read failed", e);
    }
    try {
      // Version and bytes from the same open file: a rename in between cannot mix them.
      const st = await fh.stat({ bigint: true });
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
    return this.withLock(key, async () => {
      if ((await this.currentVersion(key)) !== expected) return undefined;
      await this.replace(key, value);
      return (await this.currentVersion(key)) ?? undefined;
    }, true);
  }

  async deleteIfVersion(key: string, expected: string, options: StoreOptions = {}): Promise<boolean> {
    this.writable(key);
    aborted(key, options);
    return this.withLock(key, async () => {
      if ((await this.currentVersion(key)) !== expected) return false;
      await this.remove(key);
      return true;
    }, true);
  }

  /**
   * Run `fn` holding the key's lock file (created with O_EXCL). A lock left by a crashed
   * writer is recovered: at once when its process is gone from this host, else once it is
   * older than `staleLockMs`. Without `locking`, conditional calls still lock (they need it).
   */
  private async withLock<R>(key: string, fn: () => Promise<R>, always = false): Promise<R> {
    if (!this.locking && !always) return fn();
    const lock = this.path(key) + LOCK_SUFFIX;
    const deadline = Date.now() + this.lockTimeoutMs;
    let delay = 1;
    for (;;) {
      try {
        // A folder that cannot be made fails with no code: not taken for a held lock below.
        const fh = await this.inDir(nodePath.dirname(lock), () => open(lock, "wx"));
        try {
          await fh.writeFile(JSON.stringify({ pid: process.pid, host: HOST, time: Date.now() }));
        } finally {
          await fh.close();
        }
        break;
      } catch (e) {
        if (!isCode(e, "EEXIST")) throw wrap(key, "lock failed", e);
      }
      if (await this.breakIfStale(lock)) continue;
      if (Date.now() > deadline) throw new StoreError(key, `lock ${lock} is held by another writer for more than ${this.lockTimeoutMs} ms`);
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }

  /** Remove `lock` when the writer that made it is gone; true when it did. */
  private async breakIfStale(lock: string): Promise<boolean> {
    let info: { pid?: number; host?: string; time?: number };
    let raw = "";
    try {
      raw = await readFile(lock, "utf8");
      info = JSON.parse(raw) as typeof info;
    } catch {
      // Unreadable: just created and not yet written, or removed meanwhile. Judge by age.
      try {
        const st = await stat(lock);
        info = { time: st.mtimeMs };
      } catch {
        return true;
      }
    }
    const dead = info.host === HOST && typeof info.pid === "number" && !processAlive(info.pid);
    const old = typeof info.time === "number" && Date.now() - info.time > this.staleLockMs;
    if (!dead && !old) return false;
    // Move it aside under a unique name first, so two writers never both remove a fresh lock.
    const aside = `${lock}.stale-${randomBytes(6).toString("hex")}`;
    try {
      await rename(lock, aside);
    } catch {
      return true; // someone else broke it
    }
    // If what we moved is not the lock we judged (another writer broke that one and took a
    // fresh lock meanwhile), put it back: link() fails rather than replace a newer lock.
    const moved = await readFile(aside, "utf8").catch(() => "");
    if (raw !== "" && moved !== raw) await link(aside, lock).catch(() => undefined);
    await rm(aside, { force: true });
    return true;
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
      } else if (!isInternal(entry.name) && key.startsWith(prefix)) {
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
        else if (!isInternal(e.name)) keys.push(e.name);
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isCode(e, "EPERM");
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
