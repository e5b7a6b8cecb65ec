/**
 * `ratzarr export` against pandas on the same data: a RAT of 4 columns
 * (float64, int32, int64 past 2^53, short strings; default 20 million rows,
 * chunks of 500000) is built once in the temporary folder and kept between
 * runs, then exported to CSV and to Parquet by the CLI (run from the sources
 * through tsx, so no build is needed), and the same columns are read with
 * zarr-python and written by pandas `to_csv` / `to_parquet` (pyarrow engine)
 * from .venv. Each run is one process, timed from spawn to exit, peak RSS
 * and CPU seconds from `/usr/bin/time -v` (else VmHWM polled from /proc).
 * Prints a table: tool, format, seconds, CPU seconds, peak RSS, output
 * size, ratios to pandas (wall and CPU: on a shared machine trust CPU).
 *
 *   node --import tsx bench/cli_export.ts [--rows N] [--keep-output]
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

const { values } = parseArgs({ options: { rows: { type: "string", default: "20000000" }, "keep-output": { type: "boolean" } } });
const rows = Number(values.rows);
const root = join(import.meta.dirname, "..");
const python = join(root, ".venv/bin/python");
const dir = join(tmpdir(), `ratzarr-bench-export-v2-${rows}`);
const rat = join(dir, "bench.zarr");
const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** Build the RAT once (a marker file says it is complete). */
function build(): void {
  if (existsSync(join(dir, "complete"))) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const lib = pathToFileURL(join(root, "src/node/index.ts")).href;
  const code = `
    import { RatZarr } from ${JSON.stringify(lib)};
    import { writeFileSync } from "node:fs";
    const rows = ${rows}, block = 500000;
    const rz = await RatZarr.open(${JSON.stringify(rat)}, { onWarning: () => undefined });
    await rz.setRowCount(rows);
    for (const [n, t] of [["area", "float64"], ["class", "int32"], ["id", "int64"], ["name", "string"]]) await rz.createColumn(n, t);
    // xorshift32: the same pseudo-random floats every run, exactly (32-bit integer arithmetic).
    let seed = 2463534242;
    const rnd = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
    for (let s = 0; s < rows; s += block) {
      const n = Math.min(block, rows - s);
      await rz.writeBlock("area", Float64Array.from({ length: n }, () => rnd() * 1e4), s);
      await rz.writeBlock("class", Int32Array.from({ length: n }, (_, i) => (s + i) % 37), s);
      await rz.writeBlock("id", BigInt64Array.from({ length: n }, (_, i) => 9007199254740993n + BigInt(s + i)), s);
      await rz.writeBlock("name", Array.from({ length: n }, (_, i) => "c" + ((s + i) % 1000)), s);
    }
    await rz.close();
    writeFileSync(${JSON.stringify(join(dir, "complete"))}, "");
  `;
  const t = performance.now();
  execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: root, stdio: "inherit" });
  console.error(`built ${rows} rows in ${((performance.now() - t) / 1000).toFixed(1)} s: ${rat}`);
}

/** Run a command to completion: seconds and peak RSS in MB. */
function measure(cmd: string, args: string[]): Promise<{ seconds: number; cpu: number; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = timeBin === undefined
      ? spawn(cmd, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] })
      : spawn(timeBin, ["-v", cmd, ...args], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    let hwm = 0;
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    // Without GNU time: poll the child's high-water mark.
    const poll = timeBin === undefined ? setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch { /* gone */ }
    }, 20) : undefined;
    child.on("error", reject);
    child.on("close", (code) => {
      if (poll) clearInterval(poll);
      const seconds = (performance.now() - t) / 1000;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${err}`));
      const kb = timeBin === undefined ? hwm : Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0);
      // CPU seconds (user + system) say more than wall time on a shared machine; NaN without GNU time.
      const cpu = Number(/User time \(seconds\): ([\d.]+)/.exec(err)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(err)?.[1] ?? NaN);
      resolve({ seconds, cpu, rssMb: kb / 1024 });
    });
  });
}

const pandasScript = (format: string, out: string) => `
import zarr, pandas as pd
g = zarr.open_group(${JSON.stringify(rat)}, mode="r")["RAT"]
df = pd.DataFrame({n: g[n][:] for n in ["area", "class", "id", "name"]})
${format === "csv" ? `df.to_csv(${JSON.stringify(out)}, index=False)` : `df.to_parquet(${JSON.stringify(out)}, index=False, engine="pyarrow")`}
`;

build();
const results: { tool: string; format: string; seconds: number; cpu: number; rssMb: number; bytes: number }[] = [];
for (const format of ["csv", "parquet"]) {
  const mine = join(dir, `out-ratzarr.${format}`);
  const theirs = join(dir, `out-pandas.${format}`);
  const r = await measure(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "export", rat, "-o", mine]);
  results.push({ tool: "ratzarr export", format, ...r, bytes: statSync(mine).size });
  const p = await measure(python, ["-c", pandasScript(format, theirs)]);
  results.push({ tool: "pandas (zarr-python read)", format, ...p, bytes: statSync(theirs).size });
  if (values["keep-output"] !== true) for (const f of [mine, theirs]) rmSync(f, { force: true });
}
console.log(`\n${rows} rows x 4 columns (float64, int32, int64, string), ${process.version}, pandas via .venv\n`);
console.log(`load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} (${availableParallelism()} CPUs)\n`);
console.log("| tool | format | seconds | CPU seconds | peak RSS MB | output MB | ratio (s / pandas s) | ratio (CPU s) |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  const base = results.find((x) => x.format === r.format && x.tool.startsWith("pandas"))!;
  console.log(`| ${r.tool} | ${r.format} | ${r.seconds.toFixed(1)} | ${r.cpu.toFixed(1)} | ${r.rssMb.toFixed(0)} | ${(r.bytes / 1e6).toFixed(0)} | ${(r.seconds / base.seconds).toFixed(2)}x | ${(r.cpu / base.cpu).toFixed(2)}x |`);
}
