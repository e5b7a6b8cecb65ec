/**
 * Randomized differential conformance: seeded random RAT scenarios (every
 * data type, widths 1..4, small chunks, aligned and unaligned blocks,
 * shrinks and grows, deletes, attributes, reopens) played through ratzarr,
 * through Python ratzarr's zarr-python calls, and alternating between the
 * two, each compared value by value with an in-memory model
 * (spec-tests/harness/scenario.ts says how the model treats stale rows
 * after a shrink and the modification logs).
 *
 *   RATZARR_SCENARIOS=N   run N scenarios (default 40)
 *   RATZARR_SEED=S        run only the scenario of seed S (a failure prints its seed)
 */
import { suite } from "uvu";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pythonSession, zarrPythons } from "../harness/python.js";
import { DIRECTIONS, type Direction, generateScenario, opsToJson, runScenario, shrink } from "../harness/scenario.js";

const SEED_BASE = 1234;
const DEFAULT_SCENARIOS = 40;
const SHRINK_BUDGET_MS = 30_000;

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

const onlySeed = envInt("RATZARR_SEED");
const seeds = onlySeed !== undefined ? [onlySeed] : Array.from({ length: envInt("RATZARR_SCENARIOS") ?? DEFAULT_SCENARIOS }, (_, i) => SEED_BASE + i);

for (const z of zarrPythons()) {
  const t = suite(`conformance: random scenarios [zarr-python ${z.version}]`);
  const session = pythonSession(t, "random", z);

  t(`random scenarios: ratzarr, zarr-python and the model agree in every direction [zarr-python ${z.version}]`, async () => {
    const counts: Record<Direction, number> = { "ts→py": 0, "py→ts": 0, mixed: 0 };
    const failures: { seed: number; direction: Direction; problems: string[] }[] = [];
    for (const seed of seeds) {
      const scenario = generateScenario(seed);
      const dir = mkdtempSync(join(session.work, `seed${seed}-`));
      try {
        for (const direction of DIRECTIONS) {
          const problems = await runScenario({ py: session.py, dir }, scenario.ops, direction, scenario.mixedStart);
          counts[direction]++;
          if (problems.length > 0) failures.push({ seed, direction, problems });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log(`  random scenarios: ${DIRECTIONS.map((d) => `${counts[d]} ${d}`).join(", ")} (${onlySeed !== undefined ? `seed ${onlySeed}` : `seed base ${SEED_BASE}`})`);
    if (failures.length === 0) return;

    console.log(`\n  ${failures.length} failing scenario run(s): ${failures.map((f) => `seed ${f.seed} ${f.direction}`).join(", ")}`);
    const first = failures[0]!;
    const scenario = generateScenario(first.seed);
    console.log(`\n  seed ${first.seed}, ${first.direction}, ${scenario.ops.length} ops:\n    ${first.problems.slice(0, 8).join("\n    ")}`);
    const dir = mkdtempSync(join(session.work, "shrink-"));
    try {
      const fails = async (ops: readonly (typeof scenario.ops)[number][]) => (await runScenario({ py: session.py, dir }, ops, first.direction, scenario.mixedStart)).length > 0;
      const small = await shrink(scenario.ops, fails, SHRINK_BUDGET_MS);
      const problems = await runScenario({ py: session.py, dir }, small.ops, first.direction, scenario.mixedStart);
      console.log(`\n  minimal scenario (${small.ops.length} ops, ${small.tries} tries${small.timedOut ? ", shrinking stopped at the time limit" : ""}; mixed starts on ${scenario.mixedStart}):`);
      console.log(`    ${opsToJson(small.ops)}`);
      console.log(`  which gives:\n    ${problems.slice(0, 8).join("\n    ")}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`\n  replay: RATZARR_SEED=${first.seed} node --import tsx scripts/run-tests.ts random\n`);
    throw new Error(`${failures.length} random scenario run(s) disagree; first: seed ${first.seed} ${first.direction} (replay: RATZARR_SEED=${first.seed} node --import tsx scripts/run-tests.ts random)`);
  });

  t.run();
}
