/**
 * Each call of one long-string column write, timed: the caller makes each block
 * (500000 strings of 200 characters, bench/bench-data.ts) and measures its
 * UTF-8 size, as bench/ratzarr_bench.ts does, then `writeBlock` is timed, and
 * the closing `flush`. Shows where a write-behind run waits (the first chunk's
 * new memory, a collection, the last chunk's compression at the flush).
 *
 *   node --import tsx bench/write_calls.ts                    # write-behind 4, 8 chunks
 *   node --import tsx bench/write_calls.ts --write-behind 0 --rows 2000000
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { RatZarr } from "../src/node/index.js";
import { blockValues, byteSize } from "./bench-data.js";

const { values } = parseArgs({ options: { rows: { type: "string", default: "4000000" }, chunk: { type: "string", default: "500000" }, "write-behind": { type: "string", default: "4" } } });
const rows = Number(values.rows), chunk = Number(values.chunk), writeBehind = Number(values["write-behind"]);
const dir = mkdtempSync(join(tmpdir(), "ratzarr-calls-"));
try {
  const rz = await RatZarr.open(join(dir, "a.zarr"), { writeBehind, onWarning: () => undefined });
  await rz.setChunkSize(chunk);
  await rz.setRowCount(rows);
  await rz.createColumn("col", "string");
  const calls: number[] = [];
  let making = 0;
  for (let s = 0; s < rows; s += chunk) {
    const m0 = performance.now();
    const block = blockValues(s, Math.min(rows, s + chunk), "string-long");
    byteSize(block);
    making += performance.now() - m0;
    const t0 = performance.now();
    await rz.writeBlock("col", block as string[], s);
    calls.push(Math.round(performance.now() - t0));
  }
  const f0 = performance.now();
  await rz.flush();
  const flush = Math.round(performance.now() - f0);
  const total = calls.reduce((a, b) => a + b, 0) + flush;
  console.log(`write-behind ${writeBehind}: calls ${calls.join(" ")} ms, flush ${flush} ms, total ${total} ms (the caller making blocks: ${Math.round(making)} ms); peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
