/** The smoke script (smoke.ts) on Bun (from scripts/runtimes.sh), through the core and the Node entry. */
import { test } from "uvu";
import { binary, build, report, runHost } from "./harness.js";

test("Bun: core and Node entry, MemoryStore and HTTP", async () => {
  const bin = binary("bun");
  if (bin === undefined) return;
  const b = await build();
  const core = await runHost(bin, ["run", "host-core.mjs", b.fixtures], b.dir);
  const node = await runHost(bin, ["run", "host-node.mjs", b.fixtures], b.dir);
  report("bun", core.version, [core, node]);
});

test.run();
