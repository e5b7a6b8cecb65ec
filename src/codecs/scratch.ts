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
 */

/** Buffers smaller than this are plain allocations: the allocator's own heap reuses them well. */
export const MIN_SCRATCH = 1 << 20;

/** How much a pool keeps, and how it learns that it has been idle. */
export interface ScratchOptions {
  /** Bytes of free buffers kept at most (default 256 MiB). 0 turns the pool off. */
  readonly keepBytes?: number | undefined;
  /** Free buffers are dropped after this many ms without a lease (default 1000). */
  readonly idleMs?: number | undefined;
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

/** Reused byte buffers of one runtime. */
export class ScratchPool {
  private free: ArrayBuffer[] = [];
  private kept = 0;
  private lastUse = 0;
  private timerSet = false;
  private readonly keepBytes: number;
  private readonly idleMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => void;

  constructor(options: ScratchOptions = {}) {
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
  take(size: number): ArrayBuffer {
    this.lastUse = Date.now();
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.byteLength >= size && (best < 0 || b.byteLength < this.free[best]!.byteLength)) best = i;
    }
    if (best < 0) return new ArrayBuffer(size);
    const [b] = this.free.splice(best, 1);
    this.kept -= b!.byteLength;
    return b!;
  }

  /** Take `buffer` back for reuse (a detached one, one too large to keep, is dropped). */
  give(buffer: ArrayBuffer): void {
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
  private readonly held: ArrayBuffer[] = [];

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

  /** Give back every buffer lent, except one that `output` (the next codec's result) still shares. */
  release(output?: unknown): void {
    const shared = ArrayBuffer.isView(output) ? output.buffer : undefined;
    for (const b of this.held) if (b !== shared) this.pool.give(b);
    this.held.length = 0;
  }
}
