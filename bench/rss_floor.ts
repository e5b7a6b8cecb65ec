/**
 * How much of the streaming peak RSS is garbage not yet collected: writes a
 * float64 column (default 20 million rows, chunk 500000) to a temporary RAT,
 * then reads it back in aligned blocks in child processes with no worker
 * thread and with the default one, each time without and with a forced
 * collection after every block. Runs the built package (dist/), without tsx.
 *
 *   npm run build && node --import tsx bench/rss_floor.ts [--rows N]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

const { values } = parseArgs({ options: { rows: { type: "string", default: "20000000" } } });
const rows = Number(values.rows);
const dist = pathToFileURL(join(import.meta.dirname, "../dist/node/index.js")).href;
const dir = mkdtempSync(join(tmpdir(), "ratzarr-rss-"));
const path = join(dir, "rss.zarr");
const child = (code: string, env: Record<string, string>, args: string[] = []) =>
  execFileSync(process.execPath, [...args, "--input-type=module", "-e", code], { encoding: "utf8", env: { ...process.env, ...env } }).trim();
try {
  child(`
    import { RatZarr } from ${JSON.stringify(dist)};
    const rz = await RatZarr.open(${JSON.stringify(path)}, { onWarning: () => undefined });
    await rz.setRowCount(${rows});
    await rz.createColumn("col", "float64");
    for (let s = 0; s < ${rows}; s += 500000) {
      const b = new Float64Array(Math.min(500000, ${rows} - s));
      for (let j = 0; j < b.length; j++) b[j] = ((Math.imul(s + j, 2654435761) >>> 0) % 100000) / 100;
      await rz.writeBlock("col", b, s);
    }
    await rz.close();`, {});
  const read = (gc: boolean) => `
    import { RatZarr } from ${JSON.stringify(dist)};
    const rz = await RatZarr.open(${JSON.stringify(path)}, { readOnly: true });
    for (let s = 0; s < ${rows}; s += 500000) { await rz.readBlock("col", s, 500000); ${gc ? "globalThis.gc();" : ""} }
    await rz.close();
    console.log((process.resourceUsage().maxRSS / 1024).toFixed(0));`;
  console.log(`| ${rows.toLocaleString("en")} float64 rows, aligned reads | peak RSS MB |\n| --- | --- |`);
  for (const workers of ["0", "1"]) {
    for (const gc of [false, true]) {
      const mb = child(read(gc), { RATZARR_ZSTD_WORKERS: workers }, gc ? ["--expose-gc"] : []);
      console.log(`| ${workers === "0" ? "no worker thread" : "one worker thread"}${gc ? ", collection after every block" : ""} | ${mb} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
