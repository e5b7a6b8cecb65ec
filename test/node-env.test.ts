/** The environment variables of the Node runtime: parsed in one place, checked, each the same as an option. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { optionsFromEnv } from "../src/node/env.js";
import { RatZarrError } from "../src/errors.js";
import { nodeRuntime } from "../src/node/index.js";
import { nativeZstd } from "../src/node/zstd-native.js";
import { hasZlibZstd } from "../src/node/zstd-zlib.js";
import { rejects } from "./rat/helpers.js";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

test("each variable becomes its option; unset ones give none", () => {
  assert.equal(optionsFromEnv(env({})), {});
  assert.equal(optionsFromEnv(env({ RATZARR_ZSTD: "wasm", RATZARR_ZSTD_WORKERS: "0", RATZARR_ZSTD_QUEUE: "3" })), { zstd: "wasm", zstdWorkers: 0, zstdQueueDepth: 3 });
  assert.equal(optionsFromEnv(env({ RATZARR_ZSTD_FRAME_THREADS: "2" })), { zstdFrameThreads: 2 });
  assert.equal(optionsFromEnv(env({ RATZARR_ZSTD: "native" })), { zstd: "native" });
  assert.equal(optionsFromEnv(env({ RATZARR_ZSTD: "zlib" })), { zstd: "zlib" });
});

test("RATZARR_ZSTD names every choice when it is wrong", async () => {
  await rejects(async () => optionsFromEnv(env({ RATZARR_ZSTD: "napi" })), RatZarrError, /"native", "zlib" or "wasm"/);
});

test("the zstd backend: native when zstd-napi loads, else node:zlib where Node has zstd, else WASM; `zstd` forces one", async () => {
  const name = async (o: Parameters<typeof nodeRuntime>[0]) => (await nodeRuntime(o).codecs.zstd()).name;
  let native = true;
  try {
    await nativeZstd({ workers: 0 });
  } catch {
    native = false;
  }
  assert.match(await name({ zstdWorkers: 0 }), native ? /^native/ : hasZlibZstd() ? /^node:zlib/ : /^wasm/);
  assert.match(await name({ zstd: "wasm" }), /^wasm/);
  // A forced backend that cannot load on this Node falls back to WASM, and its name says so.
  assert.match(await name({ zstd: "zlib", zstdWorkers: 0 }), hasZlibZstd() ? /^node:zlib \(no threadpool\)$/ : /^wasm/);
  if (native) assert.match(await name({ zstd: "native", zstdWorkers: 0 }), /^native \(zstd-napi, \d libzstd threads per awaited string chunk of 4 MiB or more\)$/);
  if (native) assert.match(await name({ zstd: "native", zstdWorkers: 0, zstdFrameThreads: 0 }), /^native \(zstd-napi\)$/);
});

test("a bad value is a RatZarrError naming the variable and the value", async () => {
  for (const [name, value] of [["RATZARR_ZSTD", "fast"], ["RATZARR_ZSTD_WORKERS", "-1"], ["RATZARR_ZSTD_WORKERS", "two"], ["RATZARR_ZSTD_QUEUE", "0"], ["RATZARR_ZSTD_QUEUE", "1.5"], ["RATZARR_ZSTD_FRAME_THREADS", "17"], ["RATZARR_ZSTD_FRAME_THREADS", "-1"]] as const) {
    await rejects(async () => optionsFromEnv(env({ [name]: value })), RatZarrError, new RegExp(name), new RegExp(JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  }
});

test("an environment that cannot be read (Deno without --allow-env) reads as unset", () => {
  assert.equal(optionsFromEnv(() => undefined), {});
});

test.run();
