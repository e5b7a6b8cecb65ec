/**
 * Would a faster zstd level for a chunk's intermediate states help writes in
 * blocks smaller than a chunk? Each 100000-row block of the benchmark's
 * float64 data stores its 500000-row chunk as it then stands (the rows so far,
 * zeros after them), as bench/partial_floor.ts's floor does: ms per such
 * compression and the mean compressed size, per level, best of 3 rounds over
 * 5 chunks (25 compressions), through zstd-napi's binding with one context.
 *
 *   node --import tsx bench/zstd_levels.ts [--levels 3,1,-1,-3,-5]
 *
 * Measured 2026-12-02 (README, issue-15 table): level 3 6.67 ms, 387 kB; level 1
 * 8.12 ms, 802 kB; level -1 7.45 ms, 826 kB: this data compresses fastest at 3.
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { blockValues } from "./bench-data.js";

const { values } = parseArgs({ options: { levels: { type: "string", default: "3,1,-1,-3,-5" } } });
const levels = values.levels.split(",").map(Number);
if (!levels.every(Number.isInteger)) throw new Error("--levels must be a comma-separated list of integers");
const require = createRequire(import.meta.url);
const binding = require("zstd-napi/binding") as {
  CCtx: new () => { setParameter(p: number, v: number): void; compress2(dst: Uint8Array, src: Uint8Array): number };
  CParameter: { compressionLevel: number; contentSizeFlag: number };
  compressBound(n: number): number;
};
const CHUNK = 500_000, BLOCK = 100_000, CHUNKS = 5;
const column = blockValues(0, CHUNK * CHUNKS, "float64") as Float64Array;
const chunk = new Float64Array(CHUNK);
const raw = new Uint8Array(chunk.buffer);
const dst = new Uint8Array(binding.compressBound(raw.byteLength));
for (const level of levels) {
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.compressionLevel, level);
  cctx.setParameter(binding.CParameter.contentSizeFlag, 1);
  let best = Infinity, size = 0;
  for (let round = 0; round < 3; round++) {
    let ms = 0;
    size = 0;
    for (let c = 0; c < CHUNKS; c++) {
      chunk.fill(0);
      for (let k = 0; k < CHUNK / BLOCK; k++) {
        const from = c * CHUNK + k * BLOCK;
        chunk.set(column.subarray(from, from + BLOCK), k * BLOCK);
        const t0 = performance.now();
        size += cctx.compress2(dst, raw);
        ms += performance.now() - t0;
      }
    }
    best = Math.min(best, ms);
  }
  const n = CHUNKS * (CHUNK / BLOCK);
  console.log(`level ${level}: ${(best / n).toFixed(2)} ms a partial-chunk compression, mean size ${Math.round(size / n / 1e3)} kB`);
}
