/**
 * The AWS SDK is an optional peer dependency: a project that installs
 * ratzarr without it opens local RATs, and an `s3://` path is a RatZarrError
 * (code "missing") that says what to install.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zlib from "node:zlib";

const root = join(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const SDK = "@aws-sdk/client-s3";

test("package.json: the AWS SDK is an optional peer, pinned for our own tests, not a dependency", () => {
  assert.not.ok(SDK in (pkg.dependencies ?? {}), "not in dependencies");
  assert.ok(SDK in pkg.peerDependencies, "a peer dependency");
  assert.equal(pkg.peerDependenciesMeta[SDK], { optional: true });
  const pinned = pkg.devDependencies[SDK] as string;
  assert.match(pinned, /^\d+\.\d+\.\d+$/, "pinned exactly in devDependencies");
  assert.is(pkg.peerDependencies[SDK], `^${pinned}`, "the peer range starts at the version tested");
});

test("installed without the SDK: local RATs work, an s3:// path says what to install", () => {
  const work = mkdtempSync(join(tmpdir(), "ratzarr-nosdk-"));
  try {
    const env = { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false" };
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const info = JSON.parse(out.slice(out.indexOf("[")))[0] as { filename: string };
    const app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "module", private: true }));
    // Without the optional native addon too, so that the install takes seconds, not a compile.
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--omit=optional", join(work, info.filename)], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
    assert.not.ok(existsSync(join(app, "node_modules/@aws-sdk")), "npm installed no AWS SDK");
    const du = execFileSync("du", ["-sk", join(app, "node_modules")], { encoding: "utf8" }).split("\t")[0];
    console.log(`    installed without the SDK (and without zstd-napi): node_modules ${(Number(du) / 1024).toFixed(1)} MB`);
    const script = `
      const { RatZarr, RatZarrError, nodeRuntime } = await import("ratzarr");
      const dir = (await import("node:fs")).mkdtempSync((await import("node:os")).tmpdir() + "/rz-");
      const rz = await RatZarr.open(dir + "/t.zarr");
      await rz.setRowCount(3);
      await rz.createColumn("v", "float64");
      await rz.writeBlock("v", Float64Array.of(1.5, 2.5, 3.5), 0);
      const back = [...await rz.readBlock("v", 0, 3)];
      await rz.close();
      let s3;
      try {
        await RatZarr.open("s3://some-bucket/rats/a.zarr");
        s3 = { opened: true };
      } catch (e) {
        s3 = { ratzarr: e instanceof RatZarrError, code: e.code, message: e.message };
      }
      const zstd = (await nodeRuntime().codecs.zstd()).name;
      (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
      console.log(JSON.stringify({ back, s3, zstd }));
    `;
    const result = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: app, encoding: "utf8" });
    const parsed = JSON.parse(result.trim().split("\n").pop()!) as { back: number[]; s3: { ratzarr?: boolean; code?: string; message?: string; opened?: boolean }; zstd: string };
    assert.equal(parsed.back, [1.5, 2.5, 3.5], "a local RAT works");
    console.log(`    s3:// without the SDK: ${parsed.s3.message}`);
    assert.ok(parsed.s3.ratzarr, "a RatZarrError");
    assert.is(parsed.s3.code, "missing");
    assert.ok(parsed.s3.message?.includes("npm install @aws-sdk/client-s3"), parsed.s3.message);
    assert.ok(parsed.s3.message?.includes("s3://some-bucket/rats/a.zarr"), parsed.s3.message);
    // Without zstd-napi: node:zlib where this Node has zstd, else WASM.
    assert.match(parsed.zstd, "zstdCompressSync" in zlib ? /node:zlib/ : /wasm/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
