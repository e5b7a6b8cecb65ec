/**
 * A store on the local filesystem (Node only; import it from "ratzarr/fs").
 * Each key is a file under the root folder. Writes go to a temporary file
 * that is then renamed over the key, so a crash never leaves a torn chunk;
 * keys that would escape the root are refused.
 *
 * The store's own files sit next to the key's file `a/b/name` and start with
 * "__", which no Zarr v3 node name or chunk key does (spec: "Node names"):
 * the lock `a/b/__name.ratzarr-lock`, the lock breakers' turn
 * `a/b/__name.ratzarr-break`, and temporary files
 * `a/b/__name.<12 hex>.ratzarr-tmp` (data being written, lock records being
 * staged). Keys with such a segment are refused, and listings never show them.
 */
import { link, lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import type { Stats } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import * as nodePath from "node:path";
import type { DirListing, GetOptions, Store, StoreOptions, VersionedValue } from "./store.js";
import { StoreError } from "../errors.js";

const LOCK_SUFFIX = ".ratzarr-lock";
const BREAK_SUFFIX = ".ratzarr-break";
const TMP_SUFFIX = ".ratzarr-tmp";
/** Every name of the store's own files (see the module comment). */
const INTERNAL = /^__.+(?:\.ratzarr-lock|\.ratzarr-break|\.[0-9a-f]{12}\.ratzarr-tmp)$/;
/** A temporary file (data being written, a lock record being staged). */
const TEMP = /^__.+\.[0-9a-f]{12}\.ratzarr-tmp$/;
/** A lock or break file, with the base name of its key's file. */
const LOCKLIKE = /^__(.+)\.ratzarr-(?:lock|break)$/;
const HOST = hostname();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The store's own file `__<base><suffix>` next to `file`. */
const sibling = (file: string, suffix: string) => nodePath.join(nodePath.dirname(file), `__${nodePath.basename(file)}${suffix}`);
const tempOf = (file: string) => sibling(file, `.${randomBytes(6).toString("hex")}${TMP_SUFFIX}`);
const escapeRegExp = (text: string) => text.replace(/[.*+?^$()|{}[\]\\]/g, "\\$&");
/** Temporary files of the key whose file's base name is `base`, and of no other key (anchored: "0" is not "0.0"). */
const tempPattern = (base: string) => new RegExp(`^__${escapeRegExp(base)}\\.[0-9a-f]{12}\\.ratzarr-tmp$`);

/** Who made a lock or break file, and when. */
interface LockRecord {
  readonly pid: number;
  readonly host: string;
  readonly time: number;
}

/** A record as this writer writes it; its random `id` makes the text unique, so comparing texts tells two records apart. */
const newRecord = () => JSON.stringify({ pid: process.pid, host: HOST, time: Date.now(), id: randomBytes(6).toString("hex") });

function parseRecord(raw: string): LockRecord | undefined {
  try {
    const r = JSON.parse(raw) as unknown;
    if (typeof r !== "object" || r === null) return undefined;
    const { pid, host, time } = r as Record<string, unknown>;
    if (typeof pid !== "number" || typeof host !== "string" || typeof time !== "number") return undefined;
    return { pid, host, time };
  } catch {
    return undefined;
  }
}

/** A lock or break file as one look found it. */
interface Seen {
  readonly raw: string;
  readonly holder: LockRecord | undefined;
  readonly stale: boolean;
}

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
  /**
   * A lock older than this is taken to be left by a crashed writer (default 30 s); one held by a
   * dead process on this host is stale at once. `removeLeftovers` takes a temporary file this old for garbage.
   */
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

  /** The file path of `key`, or a `StoreError` for a key that is empty, absolute, escapes the root or names one of the store's own files. */
  path(key: string): string {
    if (key === "") return this.root;
    if (key.startsWith("/") || key.includes("\\") || key.includes("\0") || /^[a-zA-Z]:/.test(key)) {
      throw new StoreError(key, "key must be a relative path without backslashes or NUL");
    }
    for (const part of key.split("/")) {
      if (part === "" || part === "." || part === "..") throw new StoreError(key, `key has an empty, "." or ".." segment`);
      if (INTERNAL.test(part)) throw new StoreError(key, `key segment "${part}" has the form of the store's own lock and temporary files`);
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
    const tmp = tempOf(file);
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
      st = await stat(file, { bigint: true });
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
   * Run `fn` holding the key's lock. The lock's record is written to a temporary file and
   * linked into place (link fails with EEXIST when a lock exists: the atomic test-and-set),
   * so a lock never exists without its record. A lock left by a crashed writer is broken: at
   * once when its process is gone from this host, else once it is older than `staleLockMs`;
   * the writer that broke it removes the dead writer's temporary files of the key once it
   * holds the lock. Without `locking`, conditional calls still lock (they need it).
   */
  private async withLock<R>(key: string, options: StoreOptions, fn: () => Promise<R>, always = false): Promise<R> {
    // Its lock would lie outside the root.
    if (key === "") throw new StoreError(key, "the empty key is the root folder, not a file");
    if (!this.locking && !always) return fn();
    const file = this.path(key);
    const lock = sibling(file, LOCK_SUFFIX);
    const deadline = Date.now() + this.lockTimeoutMs;
    let delay = 1;
    let quick = 0;
    let broke = false;
    let holder: LockRecord | undefined;
    let mine: string | undefined;
    for (;;) {
      aborted(key, options);
      mine = await this.create(key, file, lock);
      if (mine !== undefined) break;
      const seen = await this.breakIfStale(key, file, lock);
      if (seen === "broken") broke = true;
      else if (seen !== "gone") holder = seen.holder ?? holder;
      // On every pass, whatever it found: no way through this loop is unbounded.
      if (Date.now() > deadline) throw new StoreError(key, `lock ${lock} is held by another writer for more than ${this.lockTimeoutMs} ms${describeHolder(holder)}`);
      // A lock just released or broken is tried again at once, a few times in a row at most.
      if (typeof seen === "object" || ++quick > 3) {
        await sleep(delay + Math.random() * delay);
        delay = Math.min(delay * 2, 50);
        quick = 0;
      }
    }
    let result: R;
    try {
      // Every write of the key happens under its lock, so the broken lock's writer left garbage.
      if (broke && this.locking) await this.removeTemps(file);
      result = await fn();
    } catch (e) {
      await this.release(key, lock, mine).catch(() => undefined);
      throw e;
    }
    await this.release(key, lock, mine);
    return result;
  }

  /**
   * Make `target` (the lock or break file of `file`) with a fresh record of this writer,
   * staged in a temporary file and linked into place. The record, or undefined when
   * `target` exists (or the staged file vanished meanwhile: look and try again).
   */
  private async create(key: string, file: string, target: string): Promise<string | undefined> {
    const record = newRecord();
    const staged = tempOf(file);
    try {
      // A folder that cannot be made fails with no code: never taken for a held lock below.
      await this.inDir(nodePath.dirname(staged), () => writeFile(staged, record, { flag: "wx" }));
      try {
        await link(staged, target);
      } catch (e) {
        if (!(isCode(e, "EPERM") || isCode(e, "ENOTSUP") || isCode(e, "EOPNOTSUPP") || isCode(e, "ENOSYS"))) throw e;
        // A filesystem without hard links (FAT, some network shares): O_EXCL, where a crash
        // between create and write can leave an empty lock, judged by its age.
        await writeFile(target, record, { flag: "wx" });
      }
      return record;
    } catch (e) {
      // ENOENT: a cleaner removed the staged file, or another process the folder.
      if (isCode(e, "EEXIST") || isCode(e, "ENOENT")) return undefined;
      throw wrap(key, "lock failed", e);
    } finally {
      await unlink(staged).catch(() => undefined);
    }
  }

  /** The lock or break file at `path` as it is now, or undefined when there is none. Anything but a file there is an error. */
  private async inspect(key: string, path: string): Promise<Seen | undefined> {
    let st: Stats;
    let raw: string;
    try {
      // lstat: a symbolic link is not followed, so a dangling one is not taken for a lock just released.
      st = await lstat(path);
      if (!st.isFile()) throw new StoreError(key, `${path} is a ${kindOf(st)}, not a lock file of this store: remove it`);
      raw = await readFile(path, "utf8");
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return undefined;
      throw wrap(key, "lock failed", e);
    }
    const holder = parseRecord(raw);
    // A file without a record of ours (written by hand, or on a filesystem without links) is judged by its age.
    const time = holder?.time ?? st.mtimeMs;
    const dead = holder !== undefined && holder.host === HOST && !processAlive(holder.pid);
    return { raw, holder, stale: dead || Date.now() - time > this.staleLockMs };
  }

  /**
   * Look at the lock of `file` and break it when its writer is gone. Breakers take turns
   * (each takes the break file as a lock), and the lock is removed only when it still holds
   * the record judged stale: no breaker removes a fresh lock that another one let in.
   */
  private async breakIfStale(key: string, file: string, lock: string): Promise<Seen | "gone" | "broken"> {
    const seen = await this.inspect(key, lock);
    if (seen === undefined) return "gone";
    if (!seen.stale) return seen;
    const turn = sibling(file, BREAK_SUFFIX);
    const mine = await this.create(key, file, turn);
    if (mine === undefined) {
      // Another breaker is at work, or died at work: its break file is broken like a lock.
      const other = await this.inspect(key, turn);
      if (other?.stale === true) await this.removeIfSame(file, turn, other.raw);
      return seen;
    }
    try {
      if ((await readFile(lock, "utf8").catch(() => undefined)) !== seen.raw) return "gone";
      await unlink(lock).catch(() => undefined);
      return "broken";
    } finally {
      await this.release(key, turn, mine);
    }
  }

  /** Remove `path` if it still holds `raw`: it is moved aside, then put back if it was another. True when removed. */
  private async removeIfSame(file: string, path: string, raw: string): Promise<boolean> {
    const aside = tempOf(file);
    try {
      await rename(path, aside);
    } catch {
      return false;
    }
    const moved = await readFile(aside, "utf8").catch(() => undefined);
    // link() puts it back unless a newer one is there already.
    if (moved !== raw) await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return moved === raw;
  }

  /** Remove our lock or break file. One with another record is not ours any more (ours was broken as stale): left alone. */
  private async release(key: string, path: string, mine: string): Promise<void> {
    try {
      if ((await readFile(path, "utf8")) === mine) await unlink(path);
    } catch (e) {
      if (!isCode(e, "ENOENT")) throw wrap(key, "unlock failed", e);
    }
  }

  /** Remove the temporary files of the key of `file` in its folder; the names removed. */
  private async removeTemps(file: string): Promise<string[]> {
    const dir = nodePath.dirname(file);
    const pattern = tempPattern(nodePath.basename(file));
    const names = await readdir(dir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names) {
      if (pattern.test(name) && (await unlink(nodePath.join(dir, name)).then(() => true, () => false))) removed.push(name);
    }
    return removed;
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
    const removed: string[] = [];
    await this.sweep(this.path(prefix), prefix, removed, options);
    return removed.sort();
  }

  private async sweep(folder: string, dir: string, removed: string[], options: StoreOptions): Promise<void> {
    aborted(dir, options);
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return;
      throw wrap(dir, "list failed", e);
    }
    const rel = (name: string) => (dir === "" ? name : `${dir}/${name}`);
    const gone = new Set<string>();
    // Locks and break files first: a broken lock makes its key's temporary files garbage.
    for (const entry of entries) {
      const base = entry.isFile() ? LOCKLIKE.exec(entry.name)?.[1] : undefined;
      if (base === undefined) continue;
      const [key, file, path] = [rel(base), nodePath.join(folder, base), nodePath.join(folder, entry.name)];
      const seen = await this.inspect(key, path);
      if (seen === undefined || !seen.stale) continue;
      if (entry.name.endsWith(BREAK_SUFFIX)) {
        if (await this.removeIfSame(file, path, seen.raw)) gone.add(entry.name);
        continue;
      }
      if ((await this.breakIfStale(key, file, path)) !== "broken") continue;
      gone.add(entry.name);
      // Only while holding the lock: a writer that took it meanwhile may be making a fresh temporary file.
      const mine = await this.create(key, file, path);
      if (mine === undefined) continue;
      try {
        for (const name of await this.removeTemps(file)) gone.add(name);
      } finally {
        await this.release(key, path, mine);
      }
    }
    for (const entry of entries) {
      if (!entry.isFile() || !TEMP.test(entry.name) || gone.has(entry.name)) continue;
      const path = nodePath.join(folder, entry.name);
      if ((await this.garbageTemp(path)) && (await unlink(path).then(() => true, () => false))) gone.add(entry.name);
    }
    for (const name of gone) removed.push(rel(name));
    for (const entry of entries) {
      if (entry.isDirectory()) await this.sweep(nodePath.join(folder, entry.name), rel(entry.name), removed, options);
    }
  }

  /** True for a temporary file older than `staleLockMs`, or holding the lock record of a process gone from this host. */
  private async garbageTemp(path: string): Promise<boolean> {
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined || !st.isFile()) return false;
    if (Date.now() - st.mtimeMs > this.staleLockMs) return true;
    if (st.size > 512) return false;
    const r = parseRecord(await readFile(path, "utf8").catch(() => ""));
    return r !== undefined && r.host === HOST && !processAlive(r.pid);
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
      } else if (!INTERNAL.test(entry.name) && key.startsWith(prefix)) {
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
        else if (!INTERNAL.test(e.name)) keys.push(e.name);
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

function kindOf(st: Stats): string {
  return st.isDirectory() ? "folder" : st.isSymbolicLink() ? "symbolic link" : "special file";
}

function describeHolder(holder: LockRecord | undefined): string {
  if (holder === undefined) return "";
  const taken = new Date(holder.time);
  return ` (pid ${holder.pid} on host ${holder.host}, taken at ${Number.isNaN(taken.getTime()) ? String(holder.time) : taken.toISOString()})`;
}

function folderError(key: string, file: string, cause?: unknown): StoreError {
  return new StoreError(key, `${file} is a folder, not a file`, { cause });
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
