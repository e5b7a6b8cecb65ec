/** The environment variables of the Node runtime: parsed in one place, checked, each the same as an option. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { optionsFromEnv } from "../src/node/env.js";
import { RatZarrError } from "../src/errors.js";
import { rejects } from "./rat/helpers.js";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

test("each variable becomes its option; unset ones give none", () => {
  assert.equal(optionsFromEnv(env({})), {});
  assert.equal(optionsFromEnv(env({ RATZARR_ZSTD: "wasm", RATZARR_ZSTD_WORKERS: "0", RATZARR_ZSTD_QUEUE: "3" })), { zstd: "wasm", zstdWorkers: 0, zstdQueueDepth: 3 });
  assert.equal(optionsFromEnv(env({ RATZARR_ZSTD: "native" })), { zstd: "native" });
});

test("a bad value is a RatZarrError naming the variable and the value", async () => {
  for (const [name, value] of [["RATZARR_ZSTD", "fast"], ["RATZARR_ZSTD_WORKERS", "-1"], ["RATZARR_ZSTD_WORKERS", "two"], ["RATZARR_ZSTD_QUEUE", "0"], ["RATZARR_ZSTD_QUEUE", "1.5"]] as const) {
    await rejects(async () => optionsFromEnv(env({ [name]: value })), RatZarrError, new RegExp(name), new RegExp(JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  }
});

test("an environment that cannot be read (Deno without --allow-env) reads as unset", () => {
  assert.equal(optionsFromEnv(() => undefined), {});
});

test.run();
