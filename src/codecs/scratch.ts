/**
 * Scratch buffers for bytes that live only between two codecs of one chunk:
 * what `vlen-utf8` encodes on its way to the compressor, what the
 * decompressor gives `vlen-utf8` to make strings of. A fresh buffer of tens
 * of MB is new memory from the system, and every 4 KiB page of it costs a
 * fault the first time it is written (measured: 500000 strings of 200
 * characters encode in 413 ms into a fresh buffer, 93 ms into a reused one;
 * README, "Performance"). These are reused from chunk to chunk instead.
 *
 * One pool per codec registry (so per runtime), lent to one chunk at a time
 * through a `ScratchLease`: the pipeline takes a lease, hands it to the codec
 * that writes the bytes, and releases it once the next codec has read them.
 * A buffer the next codec's output still shares, or one transferred to
 * another thread meanwhile, is never given back. The pool keeps a few
 * buffers (at most `keepBytes` in all) and drops them all once it has been
 * idle for `idleMs`.
 *
 * With `shared` (the Node runtime), the buffers are SharedArrayBuffers: a
 * compressor's worker thread reads a chunk's bytes where they are
 * (`ScratchLease.share`) instead of a copy in new memory (~100 ms a 100 MB
 * string chunk, README "Performance"), and the buffer comes back to the pool
 * as soon as the worker says it is done, through shared memory: no message
 * need arrive first, so the next chunk reuses it even when its caller never
 * yields to the event loop between writes.
 */

/** Buffers smaller than this are plain allocations: the allocator's own heap reuses them well. */
export const MIN_SCRATCH = 1 << 20;

/** How much a pool keeps, and how it learns that it has been idle. */
export interface ScratchOptions {
  /** Bytes of free buffers kept at most (default 256 MiB). 0 turns the pool off. */
  readonly keepBytes?: number | undefined;
  /** Free buffers are dropped after this many ms without a lease (default 1000). */
  readonly idleMs?: number | undefined;
  /** Buffers are SharedArrayBuffers, which another thread can read in place (`ScratchLease.share`). Default false. */
  readonly shared?: boolean | undefined;
  /**
   * Run `fn` after `ms`, without keeping the process alive. Default: the global `setTimeout`,
   * its timer unref'd where it has `unref` (Node, Bun); the Node runtime passes node:timers'
   * (Deno's global timer is a number, which would hold a script open until it fires).
   */
  readonly setTimer?: ((fn: () => void, ms: number) => void) | undefined;
}

const KEEP_BUFFERS = 4;

function unrefTimer(fn: () => void, ms: number): void {
  const t: unknown = setTimeout(fn, ms);
  if (typeof t === "object" && t !== null && "unref" in t && typeof t.unref === "function") t.unref();
}

/** A scratch buffer another thread reads in place (`ScratchLease.share`). */
export interface SharedScratch {
  readonly buffer: SharedArrayBuffer;
  /** The other thread is done with it: it goes back to the pool (the first call; later ones do nothing). */
  done(): void;
}

type ScratchBuffer = ArrayBuffer | SharedArrayBuffer;

/** Reused byte buffers of one runtime. */
export class ScratchPool {
  private free: ScratchBuffer[] = [];
  /** Buffers other threads are reading, each with the test that they are done (read without waiting for an event). */
  private readonly away = new Map<SharedArrayBuffer, () => boolean>();
  private kept = 0;
  private lastUse = 0;
  private timerSet = false;
  private readonly keepBytes: number;
  private readonly idleMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => void;
  /** True when buffers are SharedArrayBuffers. */
  readonly shared: boolean;

  constructor(options: ScratchOptions = {}) {
    this.shared = options.shared === true;
    this.keepBytes = options.keepBytes ?? 256 << 20;
    this.idleMs = options.idleMs ?? 1000;
    this.setTimer = options.setTimer ?? unrefTimer;
  }

  /** A lease for one chunk's bytes (undefined when the pool is off). */
  lease(): ScratchLease | undefined {
    return this.keepBytes > 0 ? new ScratchLease(this) : undefined;
  }

  /** Bytes of free buffers held now. */
  get heldBytes(): number {
    return this.kept;
  }

  /** Drop every free buffer. */
  clear(): void {
    this.free = [];
    this.kept = 0;
  }

  /** A buffer of at least `size` bytes: the smallest free one that fits, else a new one. */
  take(size: number): ScratchBuffer {
    this.lastUse = Date.now();
    let best = this.fitting(size);
    if (best < 0 && this.away.size > 0) {
      // Shared buffers whose threads are done, though their replies may not have arrived yet.
      for (const [b, finished] of this.away) if (finished()) this.back(b);   // deleting while iterating a Map is safe
      best = this.fitting(size);
    }
    if (best < 0) return this.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    const [b] = this.free.splice(best, 1);
    this.kept -= b!.byteLength;
    return b!;
  }

  /** The index of the smallest free buffer of at least `size` bytes, or -1. */
  private fitting(size: number): number {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.byteLength >= size && (best < 0 || b.byteLength < this.free[best]!.byteLength)) best = i;
    }
    return best;
  }

  /** `buffer` (from `take`) is read by another thread until `finished()` or `SharedScratch.done`. */
  lend(buffer: SharedArrayBuffer, finished: () => boolean): SharedScratch {
    this.away.set(buffer, finished);
    return { buffer, done: () => this.back(buffer) };
  }

  /** Buffers lent to other threads now. */
  get awayCount(): number {
    return this.away.size;
  }

  private back(buffer: SharedArrayBuffer): void {
    if (this.away.delete(buffer)) this.give(buffer);
  }

  /** Take `buffer` back for reuse (a detached one, one too large to keep, is dropped). */
  give(buffer: ScratchBuffer): void {
    const n = buffer.byteLength;
    if (n < MIN_SCRATCH || n > this.keepBytes) return;
    this.lastUse = Date.now();
    this.free.push(buffer);
    this.kept += n;
    // Over the limits: the oldest go first.
    while (this.free.length > KEEP_BUFFERS || this.kept > this.keepBytes) this.kept -= this.free.shift()!.byteLength;
    this.armTimer(this.idleMs);
  }

  private armTimer(ms: number): void {
    if (this.timerSet) return;
    this.timerSet = true;
    this.setTimer(() => {
      this.timerSet = false;
      const idle = Date.now() - this.lastUse;
      if (idle >= this.idleMs) this.clear();
      else if (this.free.length > 0) this.armTimer(this.idleMs - idle);
    }, ms);
  }
}

/** The scratch buffers lent to one chunk: given back together by `release`. */
export class ScratchLease {
  private readonly held: ScratchBuffer[] = [];

  constructor(private readonly pool: ScratchPool) {}

  /**
   * `size` bytes to write (not zeroed: they hold an earlier chunk's bytes), valid until the
   * lease is released.
   */
  bytes(size: number): Uint8Array {
    if (size < MIN_SCRATCH) return new Uint8Array(size);
    const b = this.pool.take(size);
    this.held.push(b);
    return new Uint8Array(b, 0, size);
  }

  /**
   * Let another thread read `view` in place, when it starts a shared buffer this lease holds:
   * the buffer leaves the lease and goes back to the pool once `finished()` says so (asked
   * when the pool needs a buffer) or `SharedScratch.done` is called. Undefined otherwise (the
   * caller copies `view` instead).
   */
  share(view: Uint8Array, finished: () => boolean): SharedScratch | undefined {
    const buffer = view.buffer;
    const i = view.byteOffset === 0 && typeof SharedArrayBuffer === "function" && buffer instanceof SharedArrayBuffer ? this.held.indexOf(buffer) : -1;
    if (i < 0) return undefined;
    this.held.splice(i, 1);
    return this.pool.lend(buffer as SharedArrayBuffer, finished);
  }

  /** Give back every buffer lent, except one that `output` (the next codec's result) still shares. */
  release(output?: unknown): void {
    const shared = ArrayBuffer.isView(output) ? output.buffer : undefined;
    for (const b of this.held) if (b !== shared) this.pool.give(b);
    this.held.length = 0;
  }
}
