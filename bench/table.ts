/**
 * A compact Markdown table of one or more benchmark result files (as quoted
 * in the README's "Performance" section): per case and operation, this
 * library's MB/s with default options and with write-behind, zarr-python's,
 * the ratios, the tight ratios and peak RSS.
 *
 *   node --import tsx bench/table.ts bench/results/<file>.json [more.json ...]
 */
import { readFileSync } from "node:fs";

interface Row {
  backend: string; case: string; impl: string; op: string; rows: number; block: number;
  ratzarr_mb_s?: number; zarr_python_mb_s?: number; ratio?: number; tight_ratio?: number;
  ratzarr_tight_mb_s?: number; zarr_python_tight_mb_s?: number;
  ratzarr_reads_s?: number; zarr_python_reads_s?: number;
  ratzarr_peak_rss_mb?: number; zarr_python_peak_rss_mb?: number; ratzarr_requests?: number; zarr_python_requests?: number;
}

const f0 = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(0));
const rx = (x: number | undefined) => (x === undefined ? "-" : `${x.toFixed(2)}x`);
const out: string[] = [
  "| case | op | ratzarr MB/s | write-behind 4 | zarr-python MB/s | ratio (write-behind) | tight ratio (write-behind) | peak RSS ratzarr (write-behind) / zarr-python |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
];
for (const file of process.argv.slice(2)) {
  const { table } = JSON.parse(readFileSync(file, "utf8")) as { table: Row[] };
  const plain = table.filter((r) => r.impl === "ratzarr");
  for (const r of plain) {
    const wb = table.find((x) => x.impl !== "ratzarr" && x.backend === r.backend && x.case === r.case && x.op === r.op);
    const name = `${r.backend} ${r.case} (${(r.rows / 1e6).toFixed(0)}M rows${r.block !== 500000 ? `, blocks of ${r.block}` : ""})`;
    if (r.op === "random-read") {
      out.push(`| ${name} | 1 row, random | ${(1000 / r.ratzarr_reads_s!).toFixed(2)} ms/read | | ${(1000 / r.zarr_python_reads_s!).toFixed(2)} ms/read | ${rx(r.ratio)} | | ${f0(r.ratzarr_peak_rss_mb)} / ${f0(r.zarr_python_peak_rss_mb)} MB |`);
      continue;
    }
    const both = (a: number | undefined, b: number | undefined, f: (x: number | undefined) => string) => (b === undefined ? f(a) : `${f(a)} (${f(b)})`);
    out.push(`| ${name} | ${r.op} | ${f0(r.ratzarr_mb_s)} | ${f0(wb?.ratzarr_mb_s)} | ${f0(r.zarr_python_mb_s)} | ${both(r.ratio, wb?.ratio, rx)} | ${both(r.tight_ratio, wb?.tight_ratio, rx)} | ${f0(r.ratzarr_peak_rss_mb)} (${f0(wb?.ratzarr_peak_rss_mb)}) / ${f0(r.zarr_python_peak_rss_mb)} MB |`);
  }
}
console.log(out.join("\n"));
