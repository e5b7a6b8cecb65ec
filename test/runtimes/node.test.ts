/**
 * The smoke script (smoke.ts) on Node 20 (the Node running the tests), 22 and 24
 * (from scripts/runtimes.sh), each through the core and the Node entry as tsc
 * builds them, and on the current Node in a worker_threads Worker.
 */
import { test } from "uvu";
import { binary, build, report, runHost } from "./harness.js";

for (const [label, name] of [["20 (current)", undefined], ["22", "node22"], ["24", "node24"]] as const) {
  test(`Node ${label}: core and Node entry, MemoryStore and HTTP`, async () => {
    const bin = name === undefined ? process.execPath : binary(name);
    if (bin === undefined) return;
    const b = await build();
    const core = await runHost(bin, ["host-core.mjs", b.fixtures], b.dir);
    const node = await runHost(bin, ["host-node.mjs", b.fixtures], b.dir);
    report("node", core.version, [core, node]);
  });
}

test("Node worker_threads: the core in a Worker", async () => {
  const b = await build();
  const r = await runHost(process.execPath, ["host-worker-threads.mjs", b.fixtures], b.dir);
  report("node worker_threads", r.version, [r]);
});

test.run();
