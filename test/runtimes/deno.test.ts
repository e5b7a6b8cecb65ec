/**
 * The smoke script (smoke.ts) on Deno (npm deno), through the core, with one
 * permission: --allow-net=127.0.0.1 for the fixtures it reads over HTTP.
 */
import { test } from "uvu";
import { binary, build, report, runHost } from "./harness.js";

test("Deno: core, MemoryStore and HTTP, with --allow-net=127.0.0.1 only", async () => {
  const bin = binary("deno");
  if (bin === undefined) return;
  const b = await build();
  // Bare imports (fflate, numcodecs) resolve from the package's node_modules, as npm installs them.
  const r = await runHost(bin, ["run", "--no-prompt", "--allow-net=127.0.0.1", "--node-modules-dir=manual", "host-core.mjs", b.fixtures], b.dir);
  report("deno", r.version, [r]);
});

test.run();
