/**
 * The floor of issue 15's unaligned target ("no case below 1.5x any peer with
 * default options", 100000-row blocks in 500000-row chunks) for writes, where
 * every block waits for its chunk: each block must store the whole chunk it
 * falls in (a Zarr chunk is one object), so a chunk is compressed and written
 * once per block, first with one block of rows and fill values (0) after
 * them, then two, and so on. The floor does exactly that and nothing else, on
 * one core (the calling thread: a write that waits for its chunk has nothing
 * to run beside it): the chunk's bytes as stored (little-endian float64),
 * libzstd level 3 through zstd-napi's binding with a long-lived context (the
 * library's native backend), one fs.promises.writeFile per block into the
 * chunk's file. No cache, no lock, no temp file and rename, no API.
 *
 * A second floor, "with lock and rename", adds what the filesystem store
 * does around every chunk write to be safe against other writers and crashes
 * (src/stores/fs-lock.ts, src/stores/fs.ts), and nothing more: a lock record
 * written to a staging file and linked into place, the chunk written to a
 * temporary file and renamed over the chunk's file, then the lock read back
 * and removed.
 *
 *   node --import tsx bench/partial_floor.ts [--rows N] [--chunk C] [--block B] [--repeat R]
 *
 * In the same rounds, this library (bench/ratzarr_bench.ts) and zarr-python
 * 3.1.6 and 3.4.2 (bench/zarr_python_bench.py, when their environments are
 * there) write the same column in the same blocks with default options. Best
 * of --repeat rounds; results in bench/results/partial-floor-<ISO time>.json.
 */
import { execFile } from "node:child_process";
import { existsSync, linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { blockValues } from "./bench-data.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "20000000" },
    chunk: { type: "string", default: "500000" },
    block: { type: "string", default: "100000" },
    repeat: { type: "string", default: "3" },
  },
});
const rows = Number(values.rows), chunk = Number(values.chunk), block = Number(values.block), repeat = Number(values.repeat);
if (![rows, chunk, block, repeat].every((n) => Number.isInteger(n) && n > 0) || chunk % block !== 0) {
  throw new Error("--rows, --chunk, --block and --repeat must be positive integers, --chunk a multiple of --block");
}
const root = join(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const binding = require("zstd-napi/binding") as {
  CCtx: new () => { setParameter(p: number, v: number): void; compress2(dst: Uint8Array, src: Uint8Array): number };
  CParameter: { compressionLevel: number; contentSizeFlag: number };
  compressBound(n: number): number;
};
const cctx = new binding.CCtx();
cctx.setParameter(binding.CParameter.compressionLevel, 3);
cctx.setParameter(binding.CParameter.contentSizeFlag, 1);

const dir = await mkdtemp(join(tmpdir(), "ratzarr-partial-floor-"));
const column = blockValues(0, rows, "float64") as Float64Array;
const bytes = rows * 8;

/** Seconds for the floor: per block, the chunk as it then stands compressed and written whole (`safe`: with the store's lock, temporary file and rename). */
async function floorWrite(safe: boolean): Promise<number> {
  const out = join(dir, "floor");
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const staged = new Float64Array(chunk);
  const raw = new Uint8Array(staged.buffer);
  const dst = new Uint8Array(binding.compressBound(raw.byteLength));
  const t0 = performance.now();
  for (let c = 0; c * chunk < rows; c++) {
    staged.fill(0);
    const start = c * chunk, stop = Math.min(rows, start + chunk);
    for (let s = start; s < stop; s += block) {
      const e = Math.min(stop, s + block);
      staged.set(column.subarray(s, e), s - start);
      const n = cctx.compress2(dst, raw);
      const file = join(out, String(c));
      if (!safe) {
        await writeFile(file, dst.subarray(0, n));
        continue;
      }
      const record = JSON.stringify({ pid: process.pid, host: "h", time: Date.now() });
      writeFileSync(`${file}.lock.staged`, record);
      linkSync(`${file}.lock.staged`, `${file}.lock`);
      unlinkSync(`${file}.lock.staged`);
      await writeFile(`${file}.tmp`, dst.subarray(0, n));
      renameSync(`${file}.tmp`, file);
      if (readFileSync(`${file}.lock`, "utf8") === record) unlinkSync(`${file}.lock`);
    }
  }
  return (performance.now() - t0) / 1000;
}

const run = promisify(execFile);
/** Write seconds of a side (best of its own one run), through its benchmark script. */
async function side(cmd: string, script: string): Promise<number> {
  const path = join(dir, "side.zarr");
  await rm(path, { recursive: true, force: true });
  const args = [script, "--path", path, "--rows", String(rows), "--chunk", String(chunk), "--block", String(block), "--dtype", "float64", "--repeat", "1"];
  const { stdout } = await run(cmd, cmd === process.execPath ? ["--import", "tsx", ...args] : args, { cwd: root, maxBuffer: 1 << 24 });
  await rm(path, { recursive: true, force: true });
  return (JSON.parse(stdout.trim().split("\n").pop()!) as { write_s: number }).write_s;
}

const SAFE = "floor, lock + rename";
const sides: Record<string, number[]> = { "floor, 1 core": [], [SAFE]: [], ratzarr: [] };
const pythons: [string, string][] = [["zarr-python 3.1.6", join(root, ".venv/bin/python")], ["zarr-python 3.4.2", join(root, ".venv-zarr34/bin/python")]];
try {
  for (let r = 0; r < repeat; r++) {
    sides["floor, 1 core"]!.push(await floorWrite(false));
    sides[SAFE]!.push(await floorWrite(true));
    sides.ratzarr!.push(await side(process.execPath, join(root, "bench/ratzarr_bench.ts")));
    for (const [name, python] of pythons) if (existsSync(python)) (sides[name] ??= []).push(await side(python, join(root, "bench/zarr_python_bench.py")));
    console.error(`round ${r + 1}/${repeat} done`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const best = (xs: number[]) => Math.min(...xs);
const mbps = (s: number) => Math.round(bytes / 1e6 / s);
const floorBest = best(sides["floor, 1 core"]!);
console.log(`float64 writes in blocks of ${block} rows, ${rows.toLocaleString("en")} rows in chunks of ${chunk}; best of ${repeat}; node ${process.version}`);
for (const [name, s] of Object.entries(sides)) console.log(`${name.padEnd(20)}${String(mbps(best(s))).padStart(6)} MB/s`);
for (const [name] of pythons) {
  const s = sides[name];
  if (s !== undefined) console.log(`${name} / floor (the most any library waiting for each block's chunk can be ahead of it here): ${(best(s) / floorBest).toFixed(2)}x, / the floor with lock and rename ${(best(s) / best(sides[SAFE]!)).toFixed(2)}x; ratzarr is ${(best(s) / best(sides.ratzarr!)).toFixed(2)}x it`);
}
const date = new Date().toISOString();
const file = join(root, "bench/results", `partial-floor-${date.replace(/[:.]/g, "-")}.json`);
await writeFile(file, JSON.stringify({ date, node: process.version, rows, chunk, block, repeat, sides: Object.fromEntries(Object.entries(sides).map(([k, v]) => [k, { write_mb_s: mbps(best(v)), write_s: v }])) }, null, 2) + "\n");
console.log(`results: ${file}`);
