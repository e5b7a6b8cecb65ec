/**
 * One writer process of the multi-process test: creates and fills its own
 * column, writes its share of unaligned blocks into the shared column, and
 * adds attributes to the RAT and to the shared column. Odd-numbered workers
 * use write-behind (their partial chunks are stored on close, and replayed
 * on conflicts with the others).
 * Usage: node --import tsx test/concurrency/worker.ts '<json>'
 */
import { RatZarr } from "../../src/node/index.js";

interface Job { path: string; id: number; workers: number; rows: number; block: number; s3?: Record<string, unknown> }
const job = JSON.parse(process.argv[2]!) as Job;

/** The value every implementation agrees row r of the shared column must hold. */
export const sharedValue = (r: number) => r * 0.5 + 1;

const rz = await RatZarr.open(job.path, { create: false, provenance: { user: `w${job.id}`, argv: ["worker", String(job.id)] }, onWarning: () => undefined, writeBehind: job.id % 2 === 1 ? 3 : 0, ...(job.s3 ? { s3: job.s3 } : {}) });
await rz.createColumn(`own_${job.id}`, "int32");
await rz.writeBlock(`own_${job.id}`, Int32Array.from({ length: job.rows }, (_, i) => job.id * 1_000_000 + i), 0);
// Blocks of `block` rows dealt round-robin: every chunk of the shared column gets rows from several workers.
for (let b = job.id; b * job.block < job.rows; b += job.workers) {
  const start = b * job.block;
  const n = Math.min(job.block, job.rows - start);
  await rz.writeBlock("shared", Float64Array.from({ length: n }, (_, i) => sharedValue(start + i)), start);
}
await (await rz.getRatAttributeMapping()).set(`worker_${job.id}`, job.id);
await (await rz.getColumnAttributeMapping("shared")).set(`w${job.id}`, "done");
await rz.close();
console.log(JSON.stringify({ id: job.id, ok: true }));
