/**
 * A CPU profile of the library's calls only: one column written, then read
 * by a fresh handle, block by block, with V8's sampling profiler running and
 * only the samples taken inside `writeBlock`/`flush` (or `readBlock`) counted.
 * The caller's work between calls (making and checking blocks) is left out.
 * Prints the functions with the most time of their own and the most time
 * including what they call, and the calls' wall time.
 *
 *   node --import tsx bench/profile_calls.ts                                  # long strings, 4M rows, write-behind 4
 *   node --import tsx bench/profile_calls.ts --op read --write-behind 0
 *   node --import tsx bench/profile_calls.ts --dtype float64 --rows 20000000 --block 100000
 */
import { Session } from "node:inspector/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { RatZarr } from "../src/node/index.js";
import { type BenchDtype, blockValues, byteSize, checkRows, DTYPES } from "./bench-data.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "4000000" },
    chunk: { type: "string", default: "500000" },
    block: { type: "string", default: "500000" },
    dtype: { type: "string", default: "string-long" },
    op: { type: "string", default: "write" },
    "write-behind": { type: "string", default: "4" },
    top: { type: "string", default: "25" },
  },
});
const rows = Number(values.rows), chunk = Number(values.chunk), block = Number(values.block), top = Number(values.top);
const dtype = values.dtype as BenchDtype;
if (!DTYPES.includes(dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(", ")}`);
if (values.op !== "write" && values.op !== "read") throw new Error("--op must be write or read");
const colType = dtype.startsWith("string") ? "string" : (dtype as "float64" | "int32" | "uint16");

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 200 });
const now = () => Number(process.hrtime.bigint() / 1000n);   // µs, the profiler's clock
const inside: [number, number][] = [];
const timed = async (f: () => Promise<unknown>) => {
  const a = now();
  const r = await f();
  inside.push([a, now()]);
  return r;
};

const dir = mkdtempSync(join(tmpdir(), "ratzarr-profile-"));
try {
  const writing = values.op === "write";
  const rz = await RatZarr.open(join(dir, "a.zarr"), { writeBehind: writing ? Number(values["write-behind"]) : 0, onWarning: () => undefined });
  await rz.setChunkSize(chunk);
  await rz.setRowCount(rows);
  await rz.createColumn("col", colType);
  if (writing) await session.post("Profiler.start");
  for (let s = 0; s < rows; s += block) {
    const data = blockValues(s, Math.min(rows, s + block), dtype);
    byteSize(data);
    if (writing) await timed(() => rz.writeBlock("col", data as never, s));
    else await rz.writeBlock("col", data as never, s);
  }
  if (writing) await timed(() => rz.flush());
  else {
    await rz.flush();
    const reader = await RatZarr.open(join(dir, "a.zarr"), { readOnly: true });
    await session.post("Profiler.start");
    for (let s = 0; s < rows; s += block) {
      const stop = Math.min(rows, s + block);
      const got = await timed(() => reader.readBlock("col", s, stop - s));
      checkRows(got as ArrayLike<unknown>, s, stop, dtype, 1);
    }
    await reader.close();
  }
  const { profile } = (await session.post("Profiler.stop")) as { profile: Profile };
  summarise(profile);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function summarise(p: Profile): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
  };
  const own = new Map<string, number>(), total = new Map<string, number>();
  let t = p.startTime, counted = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (!inside.some(([a, b]) => t >= a && t <= b)) continue;
    counted += dt;
    const id = p.samples[i]!;
    own.set(name(id), (own.get(name(id)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) {
      const k = name(c);
      if (!seen.has(k)) total.set(k, (total.get(k) ?? 0) + dt), seen.add(k);
    }
  }
  const wall = inside.reduce((s, [a, b]) => s + b - a, 0);
  const ms = (us: number) => String(Math.round(us / 1000)).padStart(7);
  console.log(`${values.op} of ${rows.toLocaleString("en")} rows of ${dtype} in blocks of ${block}: ${inside.length} calls, ${Math.round(wall / 1000)} ms inside them (${Math.round(counted / 1000)} ms sampled)`);
  console.log("-- own time (ms)");
  for (const [k, v] of [...own].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(ms(v), k);
  console.log("-- with what it calls (ms)");
  for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(ms(v), k);
}
