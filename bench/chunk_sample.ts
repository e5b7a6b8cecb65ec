/** What the codec benchmarks share: one 4 MB float64 chunk of the benchmarks' pattern, and a best-of timer. */

/** 500000 float64 values (4 MB) compressing about as real attribute columns do (ratio ~8.8 with zstd level 3). */
export function sampleChunk(n = 500_000): Uint8Array {
  const chunk = new Float64Array(n);
  for (let j = 0; j < n; j++) chunk[j] = ((Math.imul(j, 2654435761) >>> 0) % 100000) / 100;
  return new Uint8Array(chunk.buffer);
}

/** Best mean time in ms of `reps` calls of `fn`, over three rounds. */
export async function best(fn: () => unknown, reps = 20): Promise<number> {
  let b = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await fn();
    b = Math.min(b, (performance.now() - t0) / reps);
  }
  return b;
}
