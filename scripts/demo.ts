/**
 * The main job, for now: write a 10-million-row float64 column to a local
 * `.zarr` block by block, read it back, check every value, and say how fast.
 *
 *   npm run demo [-- --rows 10000000 --out demo-output/demo.zarr]
 */
import { parseArgs } from "node:util";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { FileSystemStore } from "../src/stores/fs.js";
import { ZarrArray } from "../src/format/array.js";
import { ZarrGroup } from "../src/format/group.js";
import { collectKeys } from "../src/stores/store.js";

const { values } = parseArgs({ options: { rows: { type: "string", default: "10000000" }, chunk: { type: "string", default: "500000" }, out: { type: "string", default: "demo-output/demo.zarr" } } });
const rows = Number(values.rows);
const chunk = Number(values.chunk);
const out = resolve(values.out!);
rmSync(out, { recursive: true, force: true });

const value = (i: number) => (Math.imul(i, 2654435761) >>> 0) % 100000 / 100;
const store = new FileSystemStore(out);
await ZarrGroup.create(store, "");
await ZarrGroup.create(store, "RAT", { ROWCOUNT: rows, CHUNKSIZE: chunk });
const col = await ZarrArray.create(store, "RAT/mean_reflectance", { shape: [rows], dataType: "float64", chunkShape: [chunk], attributes: { MODIFICATIONLOG: [] } });

let t = performance.now();
for (let s = 0; s < rows; s += chunk) {
  const block = new Float64Array(Math.min(chunk, rows - s));
  for (let j = 0; j < block.length; j++) block[j] = value(s + j);
  await col.write(s, block);
}
const writeS = (performance.now() - t) / 1000;

t = performance.now();
let bad = 0;
const reader = await ZarrArray.open(store, "RAT/mean_reflectance", { readOnly: true });
for (let s = 0; s < rows; s += chunk) {
  const block = (await reader.read(s, Math.min(rows, s + chunk))) as Float64Array;
  for (let j = 0; j < block.length; j++) if (block[j] !== value(s + j)) bad++;
}
const readS = (performance.now() - t) / 1000;

const keys = await collectKeys(store.list("RAT/mean_reflectance/"));
const mb = (rows * 8) / 1e6;
console.log(`wrote ${rows.toLocaleString("en")} float64 rows (${mb.toFixed(0)} MB) to ${out} as ${keys.length - 1} zstd chunks of ${chunk.toLocaleString("en")} rows`);
console.log(`write (incl. generating data): ${writeS.toFixed(2)} s (${(mb / writeS).toFixed(0)} MB/s); read and check: ${readS.toFixed(2)} s (${(mb / readS).toFixed(0)} MB/s)`);
console.log(bad === 0 ? "every value read back exactly" : `${bad} values differ`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
if (bad !== 0) process.exit(1);
