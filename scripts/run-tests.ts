/**
 * Runs every `*.test.ts` under test/ and spec-tests/ in one uvu run and ends
 * with the line CI reads: `N passed, N failed`. Exits non-zero on any failure.
 * Usage: node --import tsx scripts/run-tests.ts [substring-of-path ...]
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "..");
const filters = process.argv.slice(2);

function find(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name === "fixtures" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const files = ["test", "spec-tests"].flatMap((d) => find(join(root, d))).filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)));

declare global {
  // eslint-disable-next-line no-var
  var UVU_DEFER: number;
  // eslint-disable-next-line no-var
  var UVU_INDEX: number;
  // eslint-disable-next-line no-var
  var UVU_QUEUE: unknown[][];
}

// The runtimes test/runtimes runs the package on (Node 22 and 24, Bun, Chromium), installed when
// missing by scripts/runtimes.sh (silent, about 20 ms, when all are there); RATZARR_RUNTIMES=off skips it.
const runtimesChoice = process.env["RATZARR_RUNTIMES"] ?? "on";
if (!["on", "off"].includes(runtimesChoice)) throw new Error(`RATZARR_RUNTIMES must be on or off, got ${JSON.stringify(runtimesChoice)}`);
if (runtimesChoice === "on") execFileSync("bash", [join(root, "scripts/runtimes.sh")], { stdio: "inherit" });
// GDAL (Debian's gdal-bin and python3-gdal) for test/gdal, installed when missing by scripts/gdal.sh.
execFileSync("bash", [join(root, "scripts/gdal.sh")], { stdio: "inherit" });

// Real S3 servers for this run (moto and Ceph radosgw); RATZARR_S3=moto or ceph for one, off for none.
// The S3 suites find them through RATZARR_TEST_S3_SERVERS (test/helpers/backends.ts).
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
let stopServers = async (): Promise<void> => undefined;
const s3Choice = process.env["RATZARR_S3"] ?? "all";
if (!["all", "off", "moto", "ceph"].includes(s3Choice)) throw new Error(`RATZARR_S3 must be all, off, moto or ceph, got ${JSON.stringify(s3Choice)}`);
if (s3Choice !== "off") {
  const { startS3Servers } = await import("../test/helpers/s3-servers.js");
  const s3 = await startS3Servers({ moto: s3Choice !== "ceph", ceph: s3Choice !== "moto" });
  stopServers = () => s3.stop();
  process.env["RATZARR_TEST_S3_SERVERS"] = JSON.stringify(s3.servers);
  console.log(`S3 servers: ${s3.servers.map((x) => `${x.name} ${x.version} at ${x.endpoint}`).join(", ") || "none"}`);
  for (const k of s3.skipped) console.log(`S3 server ${k.name} skipped (${k.reason}): the RAT suites run without it`);
} else {
  console.log("S3 servers: off (RATZARR_S3=off): the RAT suites run on local disk only");
}

globalThis.UVU_DEFER = 1;
const uvu = await import("uvu");
// The Node runtime (the default of the Node entry's RatZarr) uses the native zstd when it built.
console.log(`zstd backend: ${(await (await import("../src/node/index.js")).nodeRuntime().codecs.zstd()).name}`);
let importFailures = 0;
for (const [i, file] of files.entries()) {
  globalThis.UVU_INDEX = i;
  globalThis.UVU_QUEUE.push([relative(root, file)]);
  try {
    await import(pathToFileURL(file).href);
  } catch (e) {
    importFailures++;
    console.error(`\n✘ ${relative(root, file)} failed to load:`, e);
  }
}

// uvu prints its own totals; read them as they pass to write the line CI reads.
let captured = "";
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  captured += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;
try {
  await uvu.exec(false);
} finally {
  process.stdout.write = write;
  await stopServers();
}

const plain = captured.replace(/\u001b\[[0-9;]*m/g, "");
// uvu's summary comes last, each figure on a line of its own: the last such line counts, so a
// test that prints a child run's output (test/runtimes/node-matrix.test.ts) cannot pass for it.
const figure = (name: string): string | undefined => [...plain.matchAll(new RegExp(`^\\s*${name}:\\s+(\\d+)\\s*$`, "gm"))].pop()?.[1];
const total = Number(figure("Total") ?? NaN);
const passed = Number(figure("Passed") ?? NaN);
const skipped = Number(figure("Skipped") ?? 0);
if (!Number.isFinite(total) || !Number.isFinite(passed)) {
  console.log("0 passed, 1 failed");
  console.error("could not read uvu's totals");
  process.exit(1);
}
const failed = total - passed - skipped + importFailures;
const { campaignLines } = await import("../test/helpers/campaign.js");
if (campaignLines().length > 0) console.log(`\nCampaign figures (README "What we test and what we promise"):\n${campaignLines().map((l) => `  ${l}`).join("\n")}`);
console.log(`${files.length} test files`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
