/**
 * The figures of the crash, fault, fuzz and load campaign: each campaign test
 * records what it ran (trials, kills, mutations, faults) and how each case
 * ended; scripts/run-tests.ts prints them all after the run. Seeds are
 * printed so that any run can be replayed.
 *
 * Environment (read here only):
 * - RATZARR_CAMPAIGN_SCALE=N: N times the trials/mutations/time of the normal run (default 1).
 * - RATZARR_CAMPAIGN_SEED=S: the base seed (default: chosen at random and printed).
 */

export type Figures = Record<string, number | string>;

interface Registry {
  lines: string[];
}

const registry = ((globalThis as { __ratzarrCampaign?: Registry }).__ratzarrCampaign ??= { lines: [] });

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** How many times the normal run's work a campaign does (RATZARR_CAMPAIGN_SCALE, default 1). */
export function campaignScale(): number {
  return positiveInt("RATZARR_CAMPAIGN_SCALE", 1);
}

let baseSeed: number | undefined;

/** The seed for campaign `name`: the base seed (RATZARR_CAMPAIGN_SEED, else random) mixed with the name, printed. */
export function campaignSeed(name: string): number {
  baseSeed ??= positiveInt("RATZARR_CAMPAIGN_SEED", 1 + Math.floor(Math.random() * 2 ** 31));
  let h = baseSeed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x9e3779b1) >>> 0;
  const seed = (h % 2 ** 31) || 1;
  console.log(`campaign ${name}: seed ${seed} (replay the whole campaign with RATZARR_CAMPAIGN_SEED=${baseSeed})`);
  return seed;
}

/** Record and print a campaign's figures as one line: `campaign NAME: k v, k v, ...`. */
export function campaignReport(name: string, figures: Figures): void {
  const line = `campaign ${name}: ${Object.entries(figures).map(([k, v]) => `${k} ${v}`).join(", ")}`;
  registry.lines.push(line);
  console.log(line);
}

/** Every figure line recorded in this process so far. */
export function campaignLines(): readonly string[] {
  return registry.lines;
}

/** A small seeded generator (xorshift32) for tests that do not use fast-check. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
