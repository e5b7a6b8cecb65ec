/**
 * The package is what users get: `npm pack` builds it (prepare script),
 * and the tarball installs into an empty project and imports from plain
 * Node with no TypeScript tooling.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

test("package.json: ESM, types first in every export, no runtime TypeScript", () => {
  assert.is(pkg.type, "module");
  // Every condition object that names files puts "types" first.
  const check = (target: unknown, where: string): void => {
    if (typeof target !== "object" || target === null) return;
    const keys = Object.keys(target);
    if (keys.includes("types")) assert.is(keys.filter((k) => k !== "node")[0], "types", where);
    for (const [k, v] of Object.entries(target)) check(v, `${where}.${k}`);
  };
  for (const [entry, target] of Object.entries(pkg.exports as Record<string, unknown>)) check(target, `exports["${entry}"]`);
  assert.is(pkg.exports["."].node.default, "./dist/node/index.js");
  assert.is(pkg.exports["."].default, "./dist/index.js");
  assert.not.ok("typescript" in (pkg.dependencies ?? {}));
  assert.not.ok("tsx" in (pkg.dependencies ?? {}));
});

test("npm pack → install in an empty project → import from plain Node", () => {
  const work = mkdtempSync(join(tmpdir(), "ratzarr-pack-"));
  try {
    const env = { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false" };
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const info = JSON.parse(out.slice(out.indexOf("[")))[0] as { filename: string; files: { path: string }[] };
    const paths = info.files.map((f) => f.path);
    assert.ok(paths.includes("dist/index.js") && paths.includes("dist/index.d.ts"), paths.join(" "));
    assert.ok(paths.includes("dist/stores/fs.js"));
    assert.not.ok(paths.some((p) => p.startsWith("src/") || p.startsWith("test/") || p.endsWith(".ts") && !p.endsWith(".d.ts")), "sources in the tarball");
    const app = join(work, "app");
    execFileSync("mkdir", ["-p", app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "module", private: true }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", join(work, info.filename)], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
    const script = `
      const core = await import("ratzarr/core");
      const top = await import("ratzarr");
      const dir = (await import("node:fs")).mkdtempSync((await import("node:os")).tmpdir() + "/rz-");
      const rz = await top.RatZarr.open(dir + "/t.zarr");
      await rz.setRowCount(3);
      await rz.createColumn("c", "string");
      await rz.writeBlock("c", ["a", "é", ""], 0);
      const strings = await rz.readBlock("c", 0, 3);
      await rz.close();
      const { FileSystemStore } = await import("ratzarr/fs");
      const store = new core.MemoryStore();
      const a = await core.ZarrArray.create(store, "a", { shape: [10], dataType: "int32", chunkShape: [4] });
      await a.write(0, Int32Array.from({ length: 10 }, (_, i) => i * 3));
      const back = await (await core.ZarrArray.open(store, "a")).read(2, 7);
      console.log(JSON.stringify({ keys: Object.keys(core).length, back: [...back], fs: typeof FileSystemStore, strings, platform: top.nodeRuntime().platform.name, same: top.ZarrGroup === core.ZarrGroup && Object.getPrototypeOf(top.ZarrArray) === core.ZarrArray }));
    `;
    const result = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: app, encoding: "utf8" });
    const parsed = JSON.parse(result.trim().split("\n").pop()!);
    assert.equal(parsed.back, [6, 9, 12, 15, 18]);
    assert.is(parsed.fs, "function");
    assert.ok(parsed.keys > 10);
    assert.equal(parsed.strings, ["a", "é", ""]);
    assert.is(parsed.platform, "node");
    assert.ok(parsed.same, "ratzarr and ratzarr/core share one module graph");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
