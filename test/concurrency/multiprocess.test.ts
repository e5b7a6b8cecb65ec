/**
 * Eight OS processes write one RAT at once: each its own column, all of
 * them unaligned blocks into one shared column (several processes per
 * chunk), all of them attributes and log entries on the RAT and on the
 * shared column. Afterwards every value, attribute and log entry is there.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RatZarr } from "../../src/node/index.js";
import { testBackends } from "../helpers/backends.js";

const WORKERS = 8, ROWS = 400, CHUNK = 25, BLOCK = 7;
const sharedValue = (r: number) => r * 0.5 + 1;
const worker = join(import.meta.dirname, "worker.ts");

function run(job: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", worker, JSON.stringify(job)], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let out = "", err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}

const t = suite("8 processes writing one RAT");
const dirs: string[] = [];
for (const backend of await testBackends()) {
  t(`${backend.name}: every value, attribute and log entry of 8 concurrent writers lands`, async () => {
    const path = backend.name === "local disk" ? join((dirs.push(mkdtempSync(join(tmpdir(), "ratzarr-mp-"))), dirs.at(-1)!), "rat.zarr") : await backend.newPath("mp");
    const rz = await RatZarr.open(path, { ...backend.options, onWarning: () => undefined });
    await rz.setChunkSize(CHUNK);
    await rz.setRowCount(ROWS);
    await rz.createColumn("shared", "float64");
    await rz.close();

    await Promise.all(Array.from({ length: WORKERS }, (_, id) => run({ path, id, workers: WORKERS, rows: ROWS, block: BLOCK, ...("s3" in backend.options ? { s3: backend.options.s3 } : {}) })));

    const r = await RatZarr.open(path, { ...backend.options, readOnly: true });
    assert.equal(await r.getColumnNames(), ["shared", ...Array.from({ length: WORKERS }, (_, i) => `own_${i}`)].sort());
    assert.equal(Array.from(await r.readBlock<"float64">("shared", 0, ROWS)), Array.from({ length: ROWS }, (_, i) => sharedValue(i)));
    for (let id = 0; id < WORKERS; id++) {
      assert.equal(Array.from(await r.readBlock<"int32">(`own_${id}`, 0, ROWS)), Array.from({ length: ROWS }, (_, i) => id * 1_000_000 + i), `own_${id}`);
      assert.equal((await r.getModificationLog(`own_${id}`)).map((e) => e[1]), [`w${id}`]);
    }
    const ratAttrs = (await r.getRatAttributeMapping()).toJSON();
    assert.equal(Object.keys(ratAttrs).sort(), ["CHUNKSIZE", "ROWCOUNT", ...Array.from({ length: WORKERS }, (_, i) => `worker_${i}`)].sort());
    const shared = await r.getColumnAttributeMapping("shared");
    for (let id = 0; id < WORKERS; id++) assert.is(shared.get(`w${id}`), "done");
    assert.equal((await r.getModificationLog("shared")).map((e) => e[1]).sort(), Array.from({ length: WORKERS }, (_, i) => `w${i}`).sort());
    await r.close();
  });
}
t.after(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
t.run();
