/**
 * The main job: build a RAT with a 10-million-row float64 column and a
 * string column on local disk, block by block as a RIOS or pyshepseg job
 * does, read it back, check every value, and say how fast.
 *
 *   npm run demo [-- --rows 10000000 --out demo-output/demo.zarr]
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { RatZarr } from "../src/node/index.js";

const { values } = parseArgs({ options: { rows: { type: "string", default: "10000000" }, out: { type: "string", default: "demo-output/demo.zarr" } } });
const rows = Number(values.rows);
const out = resolve(values.out!);
await RatZarr.delete(out);

const value = (i: number) => ((Math.imul(i, 2654435761) >>> 0) % 100000) / 100;
const label = (i: number) => (i % 7 === 0 ? "" : `segment ${i % 1000} ✓`);

const rz = await RatZarr.open(out);
await rz.setRowCount(rows);
const chunk = rz.getRATChunkSize();
await rz.createColumn("mean_reflectance", "float64");
await rz.createColumn("label", "string");

let t = performance.now();
for (let s = 0; s < rows; s += chunk) {
  const n = Math.min(chunk, rows - s);
  const block = new Float64Array(n);
  for (let j = 0; j < n; j++) block[j] = value(s + j);
  await rz.writeBlock("mean_reflectance", block, s);
}
const writeS = (performance.now() - t) / 1000;
const stringRows = Math.min(rows, 1_000_000);
t = performance.now();
for (let s = 0; s < stringRows; s += chunk) {
  const n = Math.min(chunk, stringRows - s);
  await rz.writeBlock("label", Array.from({ length: n }, (_, j) => label(s + j)), s);
}
const writeStrS = (performance.now() - t) / 1000;
await rz.close();

const reader = await RatZarr.open(out, { readOnly: true });
let bad = 0;
t = performance.now();
for (let s = 0; s < rows; s += chunk) {
  const block = await reader.readBlock<"float64">("mean_reflectance", s, chunk);
  for (let j = 0; j < block.length; j++) if (block[j] !== value(s + j)) bad++;
}
const readS = (performance.now() - t) / 1000;
for (let s = 0; s < stringRows; s += chunk) {
  const block = await reader.readBlock<"string">("label", s, chunk);
  for (let j = 0; j < block.length; j++) if (block[j] !== label(s + j)) bad++;
}
const mb = (rows * 8) / 1e6;
console.log(`RAT ${out}: ${reader.getRowCount().toLocaleString("en")} rows, columns ${(await reader.getColumnNames()).join(", ")}, chunk ${chunk.toLocaleString("en")} rows`);
console.log(`float64 column: write ${writeS.toFixed(2)} s (${(mb / writeS).toFixed(0)} MB/s, incl. making the data), read and check ${readS.toFixed(2)} s (${(mb / readS).toFixed(0)} MB/s)`);
console.log(`string column: ${stringRows.toLocaleString("en")} labels written in ${writeStrS.toFixed(2)} s`);
console.log(`modification log of mean_reflectance: ${JSON.stringify((await reader.getModificationLog("mean_reflectance"))[0]?.slice(0, 2))}`);
console.log(bad === 0 ? "every value read back exactly" : `${bad} values differ`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await reader.close();
if (bad !== 0) process.exit(1);
