/**
 * Write-behind for one array handle: a write resolves once its data is
 * copied, while at most `limit` chunk writes go on in the background.
 * Partially written chunks stay in memory ("dirty", with the edits that
 * changed them) until their last rows arrive or they are flushed; on a
 * conflict with another writer the chunk is read again and the edits applied
 * again. The first failure is kept and reported by the next call or `flush`.
 */
import type { StoreOptions } from "../stores/store.js";
import type { ChunkData } from "../data-types.js";
import { RatZarrError, showValue } from "../errors.js";
import type { CachedChunk } from "./chunk-cache.js";
import type { ChunkIO } from "./chunk-io.js";
import type { KeyedMutex } from "./concurrency.js";

/** Partially written chunks held in memory before the oldest is stored. */
const MAX_DIRTY_CHUNKS = 8;

/** Part of a partially written chunk: a copy of the caller's rows, kept so that it can be applied again after a conflict. */
export interface Edit {
  readonly data: ChunkData;
  readonly count: readonly number[];
  readonly chunkStart: readonly number[];
}

/** A chunk changed in memory, not stored yet, with the edits that changed it. */
interface DirtyChunk extends CachedChunk {
  readonly edits: Edit[];
}

/** The background writes of one array handle. */
export class WriteBehind {
  private readonly inflight = new Set<Promise<void>>();
  private readonly dirty = new Map<string, DirtyChunk>();
  /** The first failure not yet reported. */
  private failure: Error | undefined;

  constructor(
    private readonly io: ChunkIO,
    private readonly locks: KeyedMutex,
    /** Chunk writes in flight before `write` waits. */
    private readonly limit: number,
    /** Copy an edit into a chunk. */
    private readonly apply: (chunk: ChunkData, edit: Edit) => void,
    /** Names the array in messages. */
    private readonly label: string,
  ) {}

  /** True while writes are in flight or chunks are held in memory. */
  get busy(): boolean {
    return this.inflight.size > 0 || this.dirty.size > 0;
  }

  /** The in-memory data of a chunk changed but not stored yet. */
  dirtyData(key: string): ChunkData | undefined {
    return this.dirty.get(key)?.data;
  }

  isDirty(key: string): boolean {
    return this.dirty.has(key);
  }

  /** Store a whole chunk (a copy of the engine's own) in the background. */
  async whole(key: string, chunk: ChunkData, options: StoreOptions): Promise<void> {
    // Let go of once handed on: the task (held until its write ends) must not keep the chunk alive.
    let held: ChunkData | undefined = chunk;
    this.track(key, this.locks.run(key, () => {
      this.dirty.delete(key);
      const data = held!;
      held = undefined;
      // The copy is this task's alone and unused once encoded: the codec may transfer it.
      return this.io.storeWhole(key, data, { ...options, schedule: { offload: true, detachable: true } });
    }));
    await this.wait();
  }

  /** Apply `edit` to the chunk in memory in the background; it is stored once `finishes` (the block reached its end). */
  async edit(key: string, edit: Edit, finishes: boolean, options: StoreOptions): Promise<void> {
    this.track(key, this.locks.run(key, () => this.applyEdit(key, edit, finishes, options)));
    await this.wait();
  }

  private async wait(): Promise<void> {
    while (this.inflight.size > this.limit) await Promise.race(this.inflight);
  }

  /** Under the chunk's lock: change it in memory; store it once the block reaches its end. */
  private async applyEdit(key: string, edit: Edit, finishes: boolean, options: StoreOptions): Promise<void> {
    let d = this.dirty.get(key);
    if (d === undefined) {
      const entry = await this.io.entry(key, { ...options, schedule: { offload: true } });
      this.io.forget(key);
      d = { data: entry.data, version: entry.version, edits: [] };
      this.dirty.set(key, d);
    }
    this.apply(d.data, edit);
    d.edits.push(edit);
    if (finishes) {
      await this.storeDirty(key, options, false);
      return;
    }
    // Too many chunks held: store the oldest in the background.
    if (this.dirty.size > MAX_DIRTY_CHUNKS) {
      const oldest = this.dirty.keys().next().value!;
      if (oldest !== key) this.track(oldest, this.locks.run(oldest, () => this.storeDirty(oldest, options)));
    }
  }

  /** Store a chunk changed in memory (under its lock); on a conflict the edits are applied to the chunk as stored now. */
  private async storeDirty(key: string, options: StoreOptions, keep = true): Promise<void> {
    const d = this.dirty.get(key);
    if (d === undefined) return;
    try {
      await this.io.modify(key, (chunk) => {
        for (const e of d.edits) this.apply(chunk, e);
      }, { ...options, schedule: { offload: true } }, keep, d);
    } finally {
      // Only now: until stored, read-ahead must not fetch the older stored bytes of this chunk.
      this.dirty.delete(key);
    }
  }

  /** Wait until every write is stored, partially written chunks included; rejects with the first failure since the last report. */
  async flush(options: StoreOptions = {}): Promise<void> {
    // Edits still queued become dirty chunks only when they run: wait for them, then store.
    while (this.busy) {
      while (this.inflight.size > 0) await Promise.all(this.inflight);
      for (const key of [...this.dirty.keys()]) this.track(key, this.locks.run(key, () => this.storeDirty(key, options)));
    }
    this.throwFailure();
  }

  private track(key: string, task: Promise<void>): void {
    const t: Promise<void> = task
      .catch((e: unknown) => {
        // The cause's code is kept: a program reacting to `e.code` sees why, not only that.
        this.failure ??= new RatZarrError(`array "${this.label}", chunk "${key}": a write-behind write failed: ${e instanceof Error ? e.message : showValue(e)}`, { cause: e, code: e instanceof RatZarrError ? e.code : "store" });
      })
      .finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }

  /** Throw (once) the first failure not yet reported. */
  throwFailure(): void {
    const e = this.failure;
    if (e === undefined) return;
    this.failure = undefined;
    throw e;
  }
}
