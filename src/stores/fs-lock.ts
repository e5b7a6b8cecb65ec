/**
 * The filesystem store's own files: per-key lock files that let writers in
 * several processes take turns, the breaking of locks left by crashed writers,
 * and the removal of what those writers left behind.
 *
 * They sit next to the key's file `a/b/name` and start with "__", which no
 * Zarr v3 node name or chunk key does (spec: "Node names"): the lock
 * `a/b/__name.ratzarr-lock`, the lock breakers' turn `a/b/__name.ratzarr-break`,
 * and temporary files `a/b/__name.<12 hex>.ratzarr-tmp` (data being written,
 * lock records being staged). The store refuses keys with such a segment and
 * never lists them.
 *
 * Why one file of ~375 lines: the crash-safety protocol (take, wait, break,
 * release, sweep) reads as one piece; splitting it would hide its invariants.
 */
import { link, lstat, readdir, readFile, rename, unlink } from "node:fs/promises";
import { linkSync, readFileSync, type Stats, unlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import * as nodePath from "node:path";
import type { StoreOptions } from "./store.js";
import { StoreError } from "../errors.js";
import { jitteredDelay, sleep } from "../retry.js";
import { aborted, isCode, wrap } from "./fs-errors.js";

const LOCK_SUFFIX = ".ratzarr-lock";
const BREAK_SUFFIX = ".ratzarr-break";
const TMP_SUFFIX = ".ratzarr-tmp";
/** Every name of the store's own files (see the module comment). */
const INTERNAL = /^__.+(?:\.ratzarr-lock|\.ratzarr-break|\.[0-9a-f]{12}\.ratzarr-tmp)$/;
/** A temporary file (data being written, a lock record being staged). */
const TEMP = /^__.+\.[0-9a-f]{12}\.ratzarr-tmp$/;
/** A lock or break file, with the base name of its key's file. */
const LOCKLIKE = /^__(.+)\.ratzarr-(?:lock|break)$/;
/** This host's name, asked once on first use (not on import: Deno asks for a permission to read it). */
let hostName: string | undefined;
const host = (): string => (hostName ??= hostname());

/** The store's own file `__<base><suffix>` next to `file`. */
const sibling = (file: string, suffix: string) => nodePath.join(nodePath.dirname(file), `__${nodePath.basename(file)}${suffix}`);
/** Temporary files of the key whose file's base name is `base`, and of no other key (anchored: "0" is not "0.0"). */
const tempPattern = (base: string) => new RegExp(`^__${base.replace(/[.*+?^$()|{}[\]\\]/g, "\\$&")}\\.[0-9a-f]{12}\\.ratzarr-tmp$`);

/**
 * True when `name` (one path segment) has the form of the store's own lock, break or temporary files.
 * The store refuses a key with such a segment and leaves such files out of every listing.
 */
export function isInternalName(name: string): boolean {
  return INTERNAL.test(name);
}

/**
 * A new temporary file name next to `file`, unique per call (6 random bytes).
 * Whatever is written there is taken for garbage by a writer that breaks the key's lock, and by `removeLeftovers`.
 */
export function tempFileOf(file: string): string {
  return sibling(file, `.${randomBytes(6).toString("hex")}${TMP_SUFFIX}`);
}

/** The lock settings of a `FileSystemStore`; every field is optional. */
export interface LockFileOptions {
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

/** Runs `op`, which creates a file in `dir`, making `dir` as needed: the store's folder cache, shared with the lock files. */
export type InDir = <R>(dir: string, op: () => Promise<R>) => Promise<R>;

/** Who made a lock or break file, and when. */
interface LockRecord {
  readonly pid: number;
  readonly host: string;
  readonly time: number;
}

/** A record as this writer writes it; its random `id` makes the text unique, so comparing texts tells two records apart. */
const newRecord = () => JSON.stringify({ pid: process.pid, host: host(), time: Date.now(), id: randomBytes(6).toString("hex") });

/** The record in a lock, break or staged file, or undefined for text that is not one (empty, torn, written by hand). */
function parseRecord(raw: string): LockRecord | undefined {
  let r: unknown;
  try {
    r = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const { pid, host, time } = (typeof r === "object" && r !== null ? r : {}) as Record<string, unknown>;
  return typeof pid === "number" && typeof host === "string" && typeof time === "number" ? { pid, host, time } : undefined;
}

/** A lock or break file as one look found it. */
interface Seen {
  readonly raw: string;
  readonly holder: LockRecord | undefined;
  readonly stale: boolean;
}

/**
 * The lock files of one store: `withLock` around each change of a key, `sweep` for `removeLeftovers`.
 * It holds no state of its own beyond the settings: every lock lives on disk, shared with other processes.
 */
export class LockFiles {
  private readonly locking: boolean;
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;

  /** Lock files with the settings of `options` (defaults as `LockFileOptions` says), making folders through `inDir`. */
  constructor(options: LockFileOptions, private readonly inDir: InDir) {
    this.locking = options.locking ?? true;
    this.staleLockMs = options.staleLockMs ?? 30_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  }

  /**
   * Run `fn` holding the lock of `key`, whose file is `file`; `always` locks even without `locking`
   * (conditional writes need it). Rejects with a `StoreError` naming the key after `lockTimeoutMs`
   * behind a live writer, once the signal aborts, or when something other than a file sits at the lock path.
   *
   * The lock's record is written to a temporary file and linked into place (link fails with EEXIST
   * when a lock exists: the atomic test-and-set), so a lock never exists without its record. A lock
   * left by a crashed writer is broken: at once when its process is gone from this host, else once
   * it is older than `staleLockMs`; the writer that broke it removes the dead writer's temporary
   * files of the key once it holds the lock.
   */
  async withLock<R>(key: string, file: string, options: StoreOptions, fn: () => Promise<R>, always = false): Promise<R> {
    if (!this.locking && !always) return fn();
    const lock = sibling(file, LOCK_SUFFIX);
    const deadline = Date.now() + this.lockTimeoutMs;
    let waits = 0;
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
        // A lock is held for about one file write: wait from 1 ms up to about 50, and no longer once the signal aborts.
        await sleep(1 + jitteredDelay(waits++, 1, 50), options.signal).catch((e: unknown) => {
          throw new StoreError(key, "aborted", { cause: e, code: "aborted" });
        });
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
    const staged = tempFileOf(file);
    // The record's few bytes are written, linked and unlinked with synchronous calls: each is a
    // few microseconds, where an asynchronous one costs a threadpool round trip, and a lock is
    // taken for every chunk written (README, "Performance").
    try {
      // A folder that cannot be made fails with no code: never taken for a held lock below.
      await this.inDir(nodePath.dirname(staged), async () => writeFileSync(staged, record, { flag: "wx" }));
      try {
        linkSync(staged, target);
      } catch (e) {
        if (!(isCode(e, "EPERM") || isCode(e, "ENOTSUP") || isCode(e, "EOPNOTSUPP") || isCode(e, "ENOSYS"))) throw e;
        // A filesystem without hard links (FAT, some network shares): O_EXCL, where a crash
        // between create and write can leave an empty lock, judged by its age.
        writeFileSync(target, record, { flag: "wx" });
      }
      return record;
    } catch (e) {
      // ENOENT: a cleaner removed the staged file, or another process the folder.
      if (isCode(e, "EEXIST") || isCode(e, "ENOENT")) return undefined;
      throw wrap(key, "lock failed", e);
    } finally {
      try {
        unlinkSync(staged);
      } catch {
        // Gone already (never made, or a cleaner took it).
      }
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
    const dead = holder !== undefined && holder.host === host() && !processAlive(holder.pid);
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
    const aside = tempFileOf(file);
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
      // Synchronous, as in `create`: a lock record is a few bytes.
      if (readFileSync(path, "utf8") === mine) unlinkSync(path);
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
   * Remove what killed writers left under `folder`, the path of the store folder `dir` ("" for the root);
   * resolves with the paths removed, relative to the root, in no particular order.
   * `FileSystemStore.removeLeftovers` says what goes and why it is safe while others write.
   */
  async sweep(folder: string, dir: string, options: StoreOptions): Promise<string[]> {
    aborted(dir, options);
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (e) {
      if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return [];
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
    const removed = [...gone].map(rel);
    for (const entry of entries) {
      if (entry.isDirectory()) removed.push(...(await this.sweep(nodePath.join(folder, entry.name), rel(entry.name), options)));
    }
    return removed;
  }

  /** True for a temporary file older than `staleLockMs`, or holding the lock record of a process gone from this host. */
  private async garbageTemp(path: string): Promise<boolean> {
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined || !st.isFile()) return false;
    if (Date.now() - st.mtimeMs > this.staleLockMs) return true;
    // A lock record is a few dozen bytes; anything bigger is data, judged by its age alone.
    if (st.size > 512) return false;
    const r = parseRecord(await readFile(path, "utf8").catch(() => ""));
    return r !== undefined && r.host === host() && !processAlive(r.pid);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
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
