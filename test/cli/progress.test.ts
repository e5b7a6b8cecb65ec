/**
 * Progress bars are for people watching a terminal: `ratzarr verify` on a RAT
 * of many chunks draws one on a pseudo-terminal (util-linux `script` gives
 * the command a pty, as a shell would) and nothing at all when standard
 * error is a pipe or `--json` is given.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliEnv, installedCli } from "../helpers/installed-cli.js";

const work = mkdtempSync(join(tmpdir(), "ratzarr-progress-"));
const rat = join(work, "many-chunks.zarr");
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

test.before(() => {
  // 600 chunks of 1000 rows: verify decodes each, long enough for several redraws.
  installedCli().script(`
    import { RatZarr } from "ratzarr";
    const rz = await RatZarr.open(${JSON.stringify(rat)});
    await rz.setChunkSize(1000);
    await rz.setRowCount(300000);
    for (const name of ["a", "b"]) {
      await rz.createColumn(name, "float64");
      await rz.writeBlock(name, Float64Array.from({ length: 300000 }, (_, i) => Math.sin(i)), 0);
    }
    await rz.close();
  `);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

/** `ratzarr verify` under `script`: what the terminal received (stdout and stderr together). */
function onTerminal(...args: string[]): { status: number; screen: string } {
  const { app } = installedCli();
  const command = ["npx", "--no-install", "ratzarr", ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  // -q: no "Script started" lines; -e: the command's exit status; -c: run it; /dev/null: no typescript file.
  const r = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: app, env: { ...cliEnv, COLUMNS: "120" }, encoding: "utf8" });
  return { status: r.status ?? -1, screen: r.stdout };
}

test("verify on a pseudo-terminal draws a bar: chunks done of the total, MB/s, time left", () => {
  if (!hasScript) {
    console.log("  (skipped: util-linux `script` is not installed)");
    return;
  }
  const r = onTerminal("verify", rat);
  assert.is(r.status, 0, r.screen);
  const frames = r.screen.match(/verify \[[=-]{24}\] +\d+\/600 chunks \| +[\d.-]+ MB\/s \| +\S+ left/g) ?? [];
  assert.ok(frames.length >= 2, `at least two frames of the bar, got ${JSON.stringify(r.screen.slice(0, 400))}`);
  assert.ok(frames.some((f) => / [1-9]\d*\.\d MB\/s/.test(f)), "a frame with a measured rate");
  // Redrawn in place: the cursor goes back to column 1 (CSI 1 G) and the line is cleared at the end.
  assert.match(r.screen, /\u001b\[1Gverify \[/);
  assert.match(r.screen, /\u001b\[2K/);
  assert.match(r.screen, /no problems \(2 columns, 600 chunks/);
});

test("verify with --json on a terminal draws no bar (machine output)", () => {
  if (!hasScript) return;
  const r = onTerminal("verify", rat, "--json");
  assert.is(r.status, 0, r.screen);
  assert.not.match(r.screen, /chunks \|/);
  assert.match(r.screen, /"summary"/);
});

test("verify into a pipe writes no bar and nothing on standard error", () => {
  const r = installedCli().ratzarr(["verify", rat]);
  assert.is(r.status, 0, r.err);
  assert.is(r.err, "");
  assert.match(r.out, /no problems \(2 columns, 600 chunks/);
});

test.run();
