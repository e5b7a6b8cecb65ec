/**
 * Every entry point as a user meets it, built as the package ships it (tsc
 * to a folder of its own): importing one changes no shared state and reads
 * no environment variable; a bundle made by esbuild for Node keeps the Node
 * runtime (the package says `sideEffects: false`, so a bundler drops
 * anything done on import); and Deno imports the core and the Node entry
 * with no permissions at all and uses a MemoryStore.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "../..");
// Inside the package, so that bare imports (fflate, numcodecs) resolve from its node_modules.
mkdirSync(join(root, "tmp"), { recursive: true });
const work = mkdtempSync(join(root, "tmp", "entry-points-"));
const dist = join(work, "dist");
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json"), "--outDir", dist], { cwd: root, stdio: "pipe" });
// What the package ships beside the compiled files (package.json "build").
execFileSync("cp", [join(root, "src/node/zstd-engine.cjs"), join(dist, "node/zstd-engine.cjs")]);

const ENTRIES = ["index.js", "node/index.js", "stores/fs.js", "stores/s3.js"];

test("importing any entry point reads no environment variable", () => {
  const probe = `
    const seen = new Set();
    const real = process.env;
    process.env = new Proxy(real, {
      get(t, k) { if (typeof k === "string") seen.add(k); return Reflect.get(t, k); },
      has(t, k) { if (typeof k === "string") seen.add(k); return Reflect.has(t, k); },
      ownKeys(t) { seen.add("(all)"); return Reflect.ownKeys(t); },
    });
    const out = {};
    // What Node's own module loader reads on an import, to tell it apart from ours.
    await import("data:text/javascript,export default 1");
    const node = new Set(seen);
    for (const entry of ${JSON.stringify(ENTRIES)}) {
      seen.clear();
      await import(${JSON.stringify(dist + "/")} + entry);
      out[entry] = [...seen].filter((k) => !node.has(k));
    }
    process.env = real;
    console.log(JSON.stringify(out));
  `;
  const reads = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: root, encoding: "utf8" }).trim()) as Record<string, string[]>;
  assert.equal(reads["index.js"], [], "core");
  assert.equal(reads["node/index.js"], [], "Node entry");
  assert.equal(reads["stores/fs.js"], [], "ratzarr/fs");
  // The AWS SDK itself looks at three Lambda variables when it loads; ratzarr/s3 adds none of its own.
  assert.equal(reads["stores/s3.js"]!.filter((k) => !k.startsWith("AWS_LAMBDA_")), [], "ratzarr/s3");
});

test("an esbuild bundle for Node of a small app opens and writes a local RAT", async () => {
  const app = join(work, "app.mjs");
  writeFileSync(app, `
    import { RatZarr } from ${JSON.stringify(join(dist, "node/index.js"))};
    import { mkdtempSync } from "node:fs";
    import { tmpdir } from "node:os";
    const path = mkdtempSync(tmpdir() + "/rz-bundle-") + "/rat.zarr";
    const rz = await RatZarr.open(path, { onWarning: () => {} });
    await rz.setRowCount(4);
    await rz.createColumn("v", "float64");
    await rz.writeBlock("v", Float64Array.from([1, 2, 3, 4]), 0);
    await rz.close();
    const back = await RatZarr.open(path, { readOnly: true });
    console.log(JSON.stringify({ values: Array.from(await back.readBlock("v", 0, 4)), user: (await back.getModificationLog("v"))[0][1] }));
  `);
  const bundle = join(work, "bundle.mjs");
  await build({ entryPoints: [app], bundle: true, platform: "node", format: "esm", outfile: bundle, logLevel: "silent", external: ["zstd-napi", "@aws-sdk/client-s3"] });
  const out = JSON.parse(execFileSync(process.execPath, [bundle], { cwd: work, encoding: "utf8" }).trim()) as { values: number[]; user: string };
  assert.equal(out.values, [1, 2, 3, 4]);
  assert.type(out.user, "string");
});

test("Deno with no permissions imports the core and the Node entry and uses a MemoryStore", () => {
  const script = join(work, "deno.mjs");
  // Static imports: Deno needs no read permission for modules it can see before running.
  writeFileSync(script, `
    import * as core from ${JSON.stringify(dist + "/index.js")};
    import * as node from ${JSON.stringify(dist + "/node/index.js")};
    const out = {};
    for (const [entry, m] of [["index.js", core], ["node/index.js", node]]) {
      const rz = await m.RatZarr.open(new m.MemoryStore(), { onWarning: () => {} });
      await rz.setRowCount(3);
      await rz.createColumn("a", "float64");
      await rz.createColumn("s", "string");
      await rz.writeBlock("a", Float64Array.from([1.5, 2.5, 3.5]), 0);
      await rz.writeBlock("s", ["x", "é", ""], 0);
      out[entry] = { a: Array.from(await rz.readBlock("a", 0, 3)), s: await rz.readBlock("s", 0, 3) };
      await rz.close();
    }
    console.log(JSON.stringify(out));
  `);
  const deno = join(root, "node_modules/.bin/deno");
  const r = spawnSync(deno, ["run", "--no-prompt", "--node-modules-dir=manual", script], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" }, timeout: 120_000 });
  assert.is(r.status, 0, `deno failed: ${r.stderr}`);
  const version = execFileSync(deno, ["--version"], { encoding: "utf8" }).split("\n")[0];
  console.log(`  Deno: ${version}, no permissions`);
  const out = JSON.parse(r.stdout.trim()) as Record<string, { a: number[]; s: string[] }>;
  for (const entry of ["index.js", "node/index.js"]) {
    assert.equal(out[entry]!.a, [1.5, 2.5, 3.5], entry);
    assert.equal(out[entry]!.s, ["x", "é", ""], entry);
  }
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
