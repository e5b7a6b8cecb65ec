/**
 * Consolidated metadata and Python ratzarr: the evidence behind README's
 * decision ("Consolidated metadata"). A RAT consolidated by zarr-python and
 * then changed the way Python ratzarr changes it (which never re-consolidates)
 * shows readers that trust the consolidated copy a stale column list, stale
 * shapes and a stale ROWCOUNT. This library neither writes nor reads it:
 * opened here, the same RAT shows what is stored.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RatZarr } from "../../src/node/index.js";
import { ensurePythonEnv, zarrPythons } from "../harness/python.js";

const script = join(import.meta.dirname, "../python/consolidated_evidence.py");

for (const z of zarrPythons()) test(`F-9.2: zarr-python's consolidated metadata goes stale under Python ratzarr; ratzarr reads what is stored [zarr-python ${z.version}]`, async () => {
  const python = ensurePythonEnv(z);
  const dir = mkdtempSync(join(tmpdir(), "ratzarr-consolidated-"));
  try {
    const path = join(dir, "rat.zarr");
    const seen = JSON.parse(execFileSync(python, [script, path], { encoding: "utf8" }).trim().split("\n").pop()!) as {
      zarr: string;
      consolidated: { columns: string[]; shape_a: number[]; ROWCOUNT: number };
      live: { columns: string[]; shape_a: number[]; ROWCOUNT: number };
    };
    console.log(`  zarr-python ${seen.zarr}: through consolidated metadata ${JSON.stringify(seen.consolidated)}, stored ${JSON.stringify(seen.live)}`);
    // The evidence: what a reader trusting the consolidated copy is shown.
    assert.equal(seen.consolidated, { columns: ["a"], shape_a: [8], ROWCOUNT: 8 });
    assert.equal(seen.live, { columns: ["a", "b"], shape_a: [12], ROWCOUNT: 12 });
    // This library reads what is stored, never the consolidated copy.
    const rz = await RatZarr.open(path, { readOnly: true });
    assert.equal(await rz.getColumnNames(), ["a", "b"]);
    assert.is(rz.getRowCount(), 12);
    assert.equal(Array.from(await rz.readBlock<"float64">("a", 6, 6)), [1, 1, 0, 0, 0, 0]);
    await rz.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
