/**
 * The floor of a string column in JavaScript (issue 15): what making and
 * taking apart the chunks of the benchmark's short-string (or long-string,
 * `--dtype string-long`) column costs, with nothing else (no store, no files,
 * no API): `vlen-utf8` encode
 * and decode (this library's codec: one native UTF-8 decode per chunk, the
 * elements substrings of it; the strings must be made on the thread that uses
 * them, V8 cannot share them across threads) and libzstd through zstd-napi
 * (level 3, long-lived contexts), each timed apart, the encoder's and the
 * decompressor's output in buffers reused from chunk to chunk (as the
 * library's scratch buffers are): one after the other on one thread, with
 * zstd on a second core (the longer of the two, a perfect overlap), or with
 * zstd split over both cores beside the strings (the total over two cores,
 * never less than the strings alone: they cannot leave their thread), or, for
 * a write that waits for each chunk (default options), the strings then zstd
 * split over both cores (strings + zstd / 2). Compared with the
 * library's read and write of the same column through its API and with
 * zarr-python 3.1.6 (and 3.4.2 when `.venv-zarr34` is there), run in the same
 * process order: the most a JavaScript library can be ahead of zarr-python
 * with strings here.
 *
 *   node --import tsx bench/strings_floor.ts [--dtype string-short|string-long] [--rows N] [--repeat R]
 *
 * Writes bench/results/strings-floor-<time>.json.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { createVlenUtf8Codec } from "../src/codecs/vlen-utf8.js";
import { ScratchPool } from "../src/codecs/scratch.js";
import { blockValues, byteSize } from "./bench-data.js";

const { values } = parseArgs({ options: { dtype: { type: "string", default: "string-short" }, rows: { type: "string" }, repeat: { type: "string", default: "3" } } });
const dtype = values.dtype as "string-short" | "string-long";
if (dtype !== "string-short" && dtype !== "string-long") throw new Error("--dtype must be string-short or string-long");
const rows = Number(values.rows ?? (dtype === "string-long" ? 4_000_000 : 20_000_000)), repeat = Number(values.repeat), chunk = 500_000;
const root = join(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const binding = require("zstd-napi/binding") as {
  CCtx: new () => { setParameter(p: number, v: number): void; compress2(dst: Uint8Array, src: Uint8Array): number };
  DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number };
  CParameter: { compressionLevel: number; contentSizeFlag: number };
  compressBound(n: number): number;
};
const cctx = new binding.CCtx();
cctx.setParameter(binding.CParameter.compressionLevel, 3);
cctx.setParameter(binding.CParameter.contentSizeFlag, 1);
const dctx = new binding.DCtx();
const vlen = createVlenUtf8Codec({}, "floor");
const spec = { shape: [chunk], dataType: "string" as const, fillValue: "" };
const ctx = { key: "floor" };
const scratch = new ScratchPool();

// The column's blocks are made one at a time, outside the clocks, and dropped after use, as a
// pipeline's caller does (holding all 20 million strings would make every collection slow).
const chunks = Math.ceil(rows / chunk);
function block(k: number): string[] {
  const b = blockValues(k * chunk, Math.min(rows, (k + 1) * chunk), dtype) as string[];
  while (b.length < chunk) b.push("");
  return b;
}
let bytes = 0;
for (let k = 0; k < chunks; k++) bytes += byteSize(block(k));
// byteSize flattens the strings, as the library's benchmark does outside its clocks (bench/ratzarr_bench.ts).

/** Seconds spent making the chunks' bytes (`strings`) and compressing them (`zstd`), and the frames. */
function writeAll(): { strings: number; zstd: number; frames: { frame: Uint8Array; size: number }[] } {
  const frames: { frame: Uint8Array; size: number }[] = [];
  let strings = 0, zstd = 0;
  for (let k = 0; k < chunks; k++) {
    const b = block(k);
    byteSize(b);
    const lease = scratch.lease();
    const t0 = performance.now();
    const raw = vlen.encode(b, spec, { ...ctx, scratch: lease }) as Uint8Array;
    const t1 = performance.now();
    const dst = new Uint8Array(binding.compressBound(raw.byteLength));
    const n = cctx.compress2(dst, raw);
    frames.push({ frame: dst.slice(0, n), size: raw.byteLength });
    lease?.release();
    strings += t1 - t0;
    zstd += performance.now() - t1;
  }
  return { strings: strings / 1000, zstd: zstd / 1000, frames };
}

/** Seconds spent decompressing (`zstd`) and making the strings (`strings`). */
function readAll(frames: { frame: Uint8Array; size: number }[]): { strings: number; zstd: number } {
  let strings = 0, zstd = 0, n = 0;
  let buffer = new Uint8Array(0);
  for (const { frame, size } of frames) {
    if (buffer.length < size) buffer = new Uint8Array(size);
    const raw = buffer.subarray(0, size);
    const t0 = performance.now();
    dctx.decompress(raw, frame);
    const t1 = performance.now();
    n += (vlen.decode(raw, spec, ctx) as string[]).length;
    zstd += t1 - t0;
    strings += performance.now() - t1;
  }
  if (n !== chunks * chunk) throw new Error(`read ${n} strings`);
  return { strings: strings / 1000, zstd: zstd / 1000 };
}

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "ratzarr-strings-floor-"));
async function peer(cmd: string, script: string): Promise<{ write_s: number; read_s: number }> {
  const path = join(dir, "peer.zarr");
  rmSync(path, { recursive: true, force: true });
  const args = [script, "--path", path, "--rows", String(rows), "--dtype", dtype, "--repeat", "1"];
  const { stdout } = await run(cmd, cmd === process.execPath ? ["--import", "tsx", ...args] : args, { cwd: root, maxBuffer: 1 << 24 });
  rmSync(path, { recursive: true, force: true });
  return JSON.parse(stdout.trim().split("\n").pop()!) as { write_s: number; read_s: number };
}

// floor, 1 thread: strings and zstd one after another; floor, 2 threads: zstd overlapped on the other core, the longer of the two.
const sides: Record<string, { write: number[]; read: number[] }> = { "floor, 1 thread": { write: [], read: [] }, "floor, awaited chunk, zstd split": { write: [], read: [] }, "floor, zstd on a 2nd core": { write: [], read: [] }, "floor, zstd on both cores": { write: [], read: [] }, ratzarr: { write: [], read: [] } };
const parts: { write: { strings: number; zstd: number }[]; read: { strings: number; zstd: number }[] } = { write: [], read: [] };
const pythons: [string, string][] = [["zarr-python 3.1.6", join(root, ".venv/bin/python")], ["zarr-python 3.4.2", join(root, ".venv-zarr34/bin/python")]];
try {
  for (let r = 0; r < repeat; r++) {
    const w = writeAll();
    const rd = readAll(w.frames);
    sides["floor, 1 thread"]!.write.push(w.strings + w.zstd);
    sides["floor, 1 thread"]!.read.push(rd.strings + rd.zstd);
    sides["floor, zstd on a 2nd core"]!.write.push(Math.max(w.strings, w.zstd));
    sides["floor, zstd on a 2nd core"]!.read.push(Math.max(rd.strings, rd.zstd));
    sides["floor, awaited chunk, zstd split"]!.write.push(w.strings + w.zstd / 2);
    sides["floor, awaited chunk, zstd split"]!.read.push(rd.strings + rd.zstd / 2);
    parts.write.push({ strings: w.strings, zstd: w.zstd });
    parts.read.push({ strings: rd.strings, zstd: rd.zstd });
    sides["floor, zstd on both cores"]!.write.push(Math.max(w.strings, (w.strings + w.zstd) / 2));
    sides["floor, zstd on both cores"]!.read.push(Math.max(rd.strings, (rd.strings + rd.zstd) / 2));
    const ts = await peer(process.execPath, join(root, "bench/ratzarr_bench.ts"));
    sides.ratzarr!.write.push(ts.write_s);
    sides.ratzarr!.read.push(ts.read_s);
    for (const [name, python] of pythons) {
      if (!existsSync(python)) continue;
      const py = await peer(python, join(root, "bench/zarr_python_bench.py"));
      (sides[name] ??= { write: [], read: [] }).write.push(py.write_s);
      sides[name]!.read.push(py.read_s);
    }
    console.error(`round ${r + 1}/${repeat} done`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const best = (xs: number[]) => Math.min(...xs);
const mbps = (s: number) => (bytes / 1e6 / s).toFixed(0);
console.log(`${dtype === "string-long" ? "long" : "short"} strings, ${rows.toLocaleString("en")} rows in ${chunks} chunks of ${chunk}, ${(bytes / 1e6).toFixed(1)} MB of UTF-8; best of ${repeat}; node ${process.version}`);
console.log(`${"".padEnd(28)}${"write MB/s".padStart(12)}${"read MB/s".padStart(12)}`);
for (const [name, s] of Object.entries(sides)) console.log(`${name.padEnd(28)}${mbps(best(s.write)).padStart(12)}${mbps(best(s.read)).padStart(12)}`);
for (const [name] of pythons) {
  const s = sides[name];
  if (s === undefined) continue;
  const both = sides["floor, zstd on both cores"]!, two = sides["floor, zstd on a 2nd core"]!, one = sides["floor, 1 thread"]!, awaited = sides["floor, awaited chunk, zstd split"]!;
  const ratio = (a: number[], b: number[]) => `${(best(a) / best(b)).toFixed(2)}x`;
  console.log(`${name} / floor (the most a JavaScript library can be ahead of it here): zstd on both cores write ${ratio(s.write, both.write)}, read ${ratio(s.read, both.read)}; zstd on a 2nd core write ${ratio(s.write, two.write)}, read ${ratio(s.read, two.read)}; awaited chunk, zstd split (default options) write ${ratio(s.write, awaited.write)}; one thread write ${ratio(s.write, one.write)}, read ${ratio(s.read, one.read)}`);
}
const date = new Date().toISOString();
const file = join(root, "bench/results", `strings-floor-${dtype === "string-long" ? "long-" : ""}${date.replace(/[:.]/g, "-")}.json`);
const mb = Object.fromEntries(Object.entries(sides).map(([k, v]) => [k, { write_mb_s: Math.round(bytes / 1e6 / best(v.write)), read_mb_s: Math.round(bytes / 1e6 / best(v.read)), write_s: v.write, read_s: v.read }]));
writeFileSync(file, JSON.stringify({ date, node: process.version, dtype, rows, chunk, repeat, utf8_bytes: bytes, sides: mb, floor_parts_s: parts }, null, 2) + "\n");
console.log(`results: ${file}`);
