/**
 * A compact Markdown table of one or more benchmark result files (as quoted
 * in the README's "Performance" section): per case and operation, this
 * library's MB/s with default options and with write-behind, then per peer
 * its MB/s, the ratios and the tight ratios, and peak RSS.
 *
 *   node --import tsx bench/table.ts bench/results/<file>.json [more.json ...]
 *
 * Files written before `--peers` (zarr-python 3.1 the only peer) print as
 * before; newer files list their peers (`peers`), and the table has a column
 * group for every peer found in any of the files ("-" where a file lacks it).
 */
import { readFileSync } from "node:fs";

type Row = Record<string, number | string | undefined> & { backend: string; case: string; impl: string; op: string; rows: number; block: number };

/** Table label and field prefix of each peer (as in bench/run.ts); zarr-python 3.1's ratios are "ratio" and "tight_ratio". */
const PEERS: Record<string, { label: string; prefix: string }> = {
  py: { label: "zarr-python", prefix: "zarr_python" },
  py34: { label: "zarr-python 3.4", prefix: "zarr_python_34" },
  tensorstore: { label: "tensorstore", prefix: "tensorstore" },
  zarrita: { label: "zarrita", prefix: "zarrita" },
};
const ratioKey = (p: string) => (p === "py" ? "ratio" : `${PEERS[p]!.prefix}_ratio`);
const tightKey = (p: string) => (p === "py" ? "tight_ratio" : `${PEERS[p]!.prefix}_tight_ratio`);

const files = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, "utf8")) as { table: Row[]; peers?: string[] });
const peers = Object.keys(PEERS).filter((p) => files.some((f) => (f.peers ?? ["py"]).includes(p)));

const num = (x: unknown) => (typeof x === "number" ? x : undefined);
const f0 = (x: unknown) => (num(x) === undefined ? "-" : num(x)!.toFixed(0));
const rx = (x: unknown) => (num(x) === undefined ? "-" : `${num(x)!.toFixed(2)}x`);
const ms = (readsPerS: unknown) => (num(readsPerS) === undefined ? "-" : `${(1000 / num(readsPerS)!).toFixed(2)} ms/read`);
const both = (a: unknown, b: unknown, f: (x: unknown) => string) => (b === undefined ? f(a) : `${f(a)} (${f(b)})`);

const head = ["case", "op", "ratzarr MB/s", "write-behind 4"];
for (const p of peers) {
  const l = PEERS[p]!.label;
  head.push(`${l} MB/s`, `ratio ${p === "py" ? "" : `${l} `}(write-behind)`, `tight ratio ${p === "py" ? "" : `${l} `}(write-behind)`);
}
head.push(`peak RSS ratzarr (write-behind) / ${peers.map((p) => PEERS[p]!.label).join(" / ")}`);
// The caller's work alone in each process (bench/run.ts --caller-only), where the file has it.
const callerPeers = peers.filter((p) => p === "py" || p === "py34");
const hasCaller = files.some((f) => f.table.some((r) => r["ratzarr_caller_rss_mb"] !== undefined));
if (hasCaller) head.push(`caller alone: ratzarr / ${callerPeers.map((p) => PEERS[p]!.label).join(" / ")}`);
const out: string[] = [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`];
for (const { table } of files) {
  const plain = table.filter((r) => r.impl === "ratzarr");
  for (const r of plain) {
    const wb = table.find((x) => x.impl !== "ratzarr" && x.backend === r.backend && x.case === r.case && x.op === r.op);
    const name = `${r.backend} ${r.case} (${(r.rows / 1e6).toFixed(0)}M rows${r.block !== 500000 ? `, blocks of ${r.block}` : ""})`;
    const peerRss = peers.map((p) => f0(r[`${PEERS[p]!.prefix}_peak_rss_mb`])).join(" / ");
    if (r.op === "random-read") {
      // No write-behind row for random reads: empty cells, as before --peers.
      let line = `| ${name} | 1 row, random | ${ms(r["ratzarr_reads_s"])} | `;
      for (const p of peers) line += `| ${ms(r[`${PEERS[p]!.prefix}_reads_s`])} | ${rx(r[ratioKey(p)])} | `;
      out.push(`${line}| ${f0(r["ratzarr_peak_rss_mb"])} / ${peerRss} MB |${hasCaller ? " - |" : ""}`);
      continue;
    }
    const rss = `${f0(r["ratzarr_peak_rss_mb"])} (${f0(wb?.["ratzarr_peak_rss_mb"])}) / ${peerRss} MB`;
    const cells = [name, r.op, f0(r["ratzarr_mb_s"]), f0(wb?.["ratzarr_mb_s"])];
    for (const p of peers) {
      cells.push(f0(r[`${PEERS[p]!.prefix}_mb_s`]), both(r[ratioKey(p)], wb?.[ratioKey(p)], rx), both(r[tightKey(p)], wb?.[tightKey(p)], rx));
    }
    if (hasCaller) cells.push(rss, `${[f0(r["ratzarr_caller_rss_mb"]), ...callerPeers.map((p) => f0(r[`${PEERS[p]!.prefix}_caller_rss_mb`]))].join(" / ")} MB`);
    else cells.push(rss);
    out.push(`| ${cells.join(" | ")} |`);
  }
}
console.log(out.join("\n"));
