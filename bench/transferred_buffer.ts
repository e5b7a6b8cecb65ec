/**
 * Why the scratch buffer of a string chunk is shared with the zstd worker
 * rather than transferred there and back: 500000 strings of 200 characters
 * (bench/bench-data.ts) encoded with `TextEncoder.encodeInto` into one
 * 110 MB buffer, first one that never left this thread, then one that has
 * just been transferred to a worker and back (timed twice: its first pass,
 * then a second), then a SharedArrayBuffer the worker has read. Page faults
 * of each pass beside its time.
 *
 *   node --import tsx bench/transferred_buffer.ts
 */
import { Worker } from "node:worker_threads";
import { blockValues, byteSize } from "./bench-data.js";

const worker = new Worker(`const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => { new Uint8Array(m)[0]; parentPort.postMessage(m, m instanceof ArrayBuffer ? [m] : []); });`, { eval: true });
const data = blockValues(0, 500000, "string-long") as string[];
byteSize(data);   // flat strings, as the benchmarks' callers leave them
const encoder = new TextEncoder();

function encode(buffer: ArrayBuffer | SharedArrayBuffer): string {
  const out = new Uint8Array(buffer);
  const faults = process.resourceUsage().minorPageFault;
  const t0 = performance.now();
  let p = 0;
  for (const s of data) {
    encoder.encodeInto(s, out.subarray(p + 4, p + 4 + s.length));
    p += 4 + s.length;
  }
  return `${Math.round(performance.now() - t0)} ms (${process.resourceUsage().minorPageFault - faults} faults)`;
}
const trip = <B extends ArrayBuffer | SharedArrayBuffer>(b: B) =>
  new Promise<B>((resolve) => {
    worker.once("message", resolve);
    worker.postMessage(b, b instanceof ArrayBuffer ? [b] : []);
  });

let buffer = new ArrayBuffer(110e6);
const lines: string[] = [];
for (let i = 0; i < 3; i++) lines.push(`never left:                ${encode(buffer)}`);
for (let i = 0; i < 3; i++) {
  buffer = await trip(buffer);
  lines.push(`transferred and back:      ${encode(buffer)}, again ${encode(buffer)}`);
}
const shared = new SharedArrayBuffer(110e6);
encode(shared);
for (let i = 0; i < 3; i++) {
  await trip(shared);
  lines.push(`shared, read by the worker: ${encode(shared)}`);
}
console.log(lines.join("\n"));
await worker.terminate();
