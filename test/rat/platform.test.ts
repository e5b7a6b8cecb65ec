/** The RAT layer on the web platform (core only) and on the Node platform. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { RatZarr, MemoryStore } from "../../src/node/index.js";

test("core without the Node entry: no local paths, empty user and argv, store works", () => {
  const script = `
    import { RatZarr, MemoryStore, webRuntime } from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).href)};
    const out = { platform: webRuntime.platform.name };
    try { await RatZarr.open("some/local/path"); } catch (e) { out.local = e.name + ": " + e.message; }
    try { await RatZarr.open("s3://bucket/rat.zarr"); } catch (e) { out.s3 = e.name + ": " + e.message; }
    const rz = await RatZarr.open(new MemoryStore());
    await rz.setRowCount(2);
    await rz.createColumn("a", "int8");
    await rz.writeBlock("a", Int8Array.from([1, 2]), 0);
    out.log = (await rz.getModificationLog("a"))[0].slice(1);
    console.log(JSON.stringify(out));
  `;
  const r = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" }).trim());
  assert.is(r.platform, "web");
  assert.match(r.local, /RatZarrError: "some\/local\/path": local paths need a filesystem, which the web platform does not have; pass a store/);
  assert.equal(r.log, ["", []]);
  assert.match(r.s3, /s3:\/\/ paths need the Node entry of ratzarr on the web platform; elsewhere pass a store/);
});

test("on Node, warnings go to process.emitWarning by default", async () => {
  const seen: Error[] = [];
  const listener = (w: Error) => seen.push(w);
  process.on("warning", listener);
  try {
    const rz = await RatZarr.open(new MemoryStore());
    await rz.setRowCount(100);
    await rz.setChunkSize(10);
    await rz.createColumn("a", "int8");
    await rz.writeBlock("a", new Int8Array(5), 0);
    await new Promise((r) => setTimeout(r, 10));
  } finally {
    process.off("warning", listener);
  }
  assert.is(seen.length, 1);
  assert.is(seen[0]!.name, "RatZarrWarning");
  assert.match(seen[0]!.message, /block of 5 rows is smaller than the chunk size 10/);
});

test.run();
