/**
 * The block applier against RIOS-like Python: 3 output columns computed from 3 input
 * columns over N rows (default 20,000,000) on local disk, in blocks of 100000 rows.
 *
 *   node --import tsx bench/applier.ts [--rows 20000000] [--dir /tmp/bench-applier] [--repeat 1]
 *
 * Setup (not timed): an input RAT with float64 columns a, b, c (a = (h % 100000) / 100,
 * b = ((h >> 7) % 1000) / 10, c = (h % 977) - 488, h = (i * 2654435761) mod 2**32, chunks of
 * 100000 rows), written by ratzarr. Then, each in its own process, timed from the first read
 * to the last write stored, with the process's peak RSS:
 * - ts: `applyBlocks` with inputs { in }, outputs { out } (a new RAT, chunk 100000 by RIOS's
 *   rule), the function reading a, b, c and assigning
 *     sum = a + b + c (float64), ratio = a / (b + 1) (float32), cls = floor(a) % 7 (int32);
 * - ts-wb: the same with `open: { writeBehind: 4 }` (chunks encoded and stored in the background);
 * - python: zarr-python 3.1.6 (.venv) doing what RIOS's ratapplier does with ratzarr: open the
 *   input arrays, create the 3 output arrays in a RAT group (chunks 100000, default codecs),
 *   and per block read 3 slices, compute with numpy, write 3 slices.
 * Every output is then compared, block by block, with the values computed here.
 * Prints a table and one JSON line.
 */
import { spawn } from "node:child_process";
import { rmSync, writeFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { applyBlocks, RatZarr } from "../src/node/index.js";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { rows: { type: "string", default: "20000000" }, dir: { type: "string", default: "/tmp/bench-applier" }, repeat: { type: "string", default: "1" }, child: { type: "string" }, wb: { type: "string", default: "0" } } });
const rows = Number(values.rows);
const dir = values.dir!;
const BLOCK = 100_000;
const inPath = join(dir, "in.zarr");

function inputs(start: number, n: number): [Float64Array, Float64Array, Float64Array] {
  const a = new Float64Array(n), b = new Float64Array(n), c = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const h = Number((BigInt(start + k) * 2654435761n) & 0xffffffffn);
    a[k] = (h % 100000) / 100;
    b[k] = ((h >>> 7) % 1000) / 10;
    c[k] = (h % 977) - 488;
  }
  return [a, b, c];
}

/** The ts run, in a child process: prints {seconds, peakRssMb}. */
async function tsChild(out: string, writeBehind: number): Promise<void> {
  const t0 = performance.now();
  await applyBlocks(async (_s, i, o) => {
    const [a, b, c] = (await Promise.all([i["in"]!["a"]!, i["in"]!["b"]!, i["in"]!["c"]!])) as Float64Array[];
    const n = a!.length;
    const sum = new Float64Array(n), ratio = new Float32Array(n), cls = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const x = a![k]!;
      sum[k] = x + b![k]! + c![k]!;
      ratio[k] = x / (b![k]! + 1);
      cls[k] = Math.floor(x) % 7;
    }
    o["out"]!["sum"] = sum;
    o["out"]!["ratio"] = ratio;
    o["out"]!["cls"] = cls;
  }, { inputs: { in: inPath }, outputs: { out }, blockLen: BLOCK, open: { onWarning: () => undefined, writeBehind } });
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

const PYTHON = String.raw`
import json, resource, sys, time
import numpy as np, zarr
inp, out, block = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0 = time.perf_counter()
g = zarr.open_group(inp, mode="r")
a, b, c = g["RAT/a"], g["RAT/b"], g["RAT/c"]
rows = a.shape[0]
root = zarr.open_group(out, mode="a")
rat = root.require_group("RAT")
rat.attrs["ROWCOUNT"] = rows
rat.attrs["CHUNKSIZE"] = block
cols = {}
for name, dt in (("sum", "float64"), ("ratio", "float32"), ("cls", "int32")):
    cols[name] = rat.create_array(name, shape=(rows,), dtype=dt, chunks=(block,))
    cols[name].attrs["MODIFICATIONLOG"] = []
for start in range(0, rows, block):
    stop = min(rows, start + block)
    x, y, z = a[start:stop], b[start:stop], c[start:stop]
    cols["sum"][start:stop] = x + y + z
    cols["ratio"][start:stop] = (x / (y + 1)).astype(np.float32)
    cols["cls"][start:stop] = (np.floor(x) % 7).astype(np.int32)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

function run(cmd: string, args: string[]): Promise<{ seconds: number; peakRssMb: number }> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.on("close", (code) => (code === 0 ? res(JSON.parse(out.trim().split("\n").at(-1)!)) : rej(new Error(`${cmd} exited with ${code}: ${out}`))));
  });
}

async function check(path: string): Promise<void> {
  const rz = await RatZarr.open(path, { readOnly: true });
  if (rz.getRowCount() !== rows) throw new Error(`${path}: ${rz.getRowCount()} rows, expected ${rows}`);
  for (let s = 0; s < rows; s += 1_000_000) {
    const n = Math.min(1_000_000, rows - s);
    const [a, b, c] = inputs(s, n);
    const [sum, ratio, cls] = await Promise.all(["sum", "ratio", "cls"].map((col) => rz.readBlock(col, s, n))) as [Float64Array, Float32Array, Int32Array];
    for (let k = 0; k < n; k++) {
      if (sum[k] !== a[k]! + b[k]! + c[k]! || ratio[k] !== Math.fround(a[k]! / (b[k]! + 1)) || cls[k] !== Math.floor(a[k]!) % 7) throw new Error(`${path}: row ${s + k} differs`);
    }
  }
  await rz.close();
}

if (values.child !== undefined) {
  await tsChild(values.child, Number(values.wb));
} else {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const setup = await RatZarr.open(inPath, { onWarning: () => undefined, writeBehind: 4 });
  await setup.setChunkSize(BLOCK);
  await setup.setRowCount(rows);
  for (const col of ["a", "b", "c"]) await setup.createColumn(col, "float64");
  for (let s = 0; s < rows; s += 1_000_000) {
    const n = Math.min(1_000_000, rows - s);
    const [a, b, c] = inputs(s, n);
    await setup.writeBlock("a", a, s);
    await setup.writeBlock("b", b, s);
    await setup.writeBlock("c", c, s);
  }
  await setup.close();
  const pyFile = join(dir, "applier_bench.py");
  writeFileSync(pyFile, PYTHON);
  const results: Record<string, { seconds: number; peakRssMb: number }[]> = { ts: [], "ts-wb": [], python: [] };
  for (let r = 0; r < Number(values.repeat); r++) {
    for (const [name, wb] of [["ts", 0], ["ts-wb", 4]] as const) {
      const out = join(dir, `${name}-${r}.zarr`);
      results[name]!.push(await run(process.execPath, ["--import", "tsx", join(root, "bench/applier.ts"), "--rows", String(rows), "--dir", dir, "--child", out, "--wb", String(wb)]));
      await check(out);
      rmSync(out, { recursive: true, force: true });
    }
    const out = join(dir, `python-${r}.zarr`);
    results["python"]!.push(await run(join(root, ".venv/bin/python"), [pyFile, inPath, out, String(BLOCK)]));
    await check(out);
    rmSync(out, { recursive: true, force: true });
  }
  const best = (k: string) => results[k]!.reduce((x, y) => (y.seconds < x.seconds ? y : x));
  const py = best("python");
  console.log(`rows ${rows}, blocks of ${BLOCK}, 3 float64 inputs -> float64, float32, int32 outputs, local disk; best of ${values.repeat}`);
  console.log("| run | time (s) | peak RSS (MB) | time vs Python |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const k of ["ts", "ts-wb", "python"]) {
    const b = best(k);
    console.log(`| ${k} | ${b.seconds.toFixed(2)} | ${b.peakRssMb.toFixed(0)} | ${(b.seconds / py.seconds).toFixed(2)}x |`);
  }
  console.log(JSON.stringify({ rows, block: BLOCK, results }));
  rmSync(dir, { recursive: true, force: true });
}
