/**
 * The child writer of the crash trials (test/campaign/crash.test.ts): one
 * process that writes generation `g` of one RAT and is killed with SIGKILL
 * somewhere on the way. Every value is a function of (generation, row), so
 * the parent can tell an old value from a new one row by row; generation 0 is
 * the fill value (a row never written).
 *
 * What a run does, in an order drawn from the job's seed: the RAT attributes
 * (`crash_gen` and `crash_text` in one update), the grow (`setRowCount` to
 * `job.rows`), every column in aligned, unaligned, reversed, concurrent or
 * whole blocks followed by its attributes, and the RAT's `stamp_<g>` (set,
 * then each older stamp deleted); then `flush`. Blocks before the grow cover
 * the rows there were; blocks after it, the new ones too (`growFirst`: the
 * grow comes first, so every row is written). Jobs with
 * `writeBehind` > 0 open the RAT with write-behind.
 *
 * It prints one line per event: `plan N` (N steps, after opening), `begin K
 * label` and `end K label` around step K, then `done`. On Linux, writes to a
 * pipe are synchronous, so the parent sees every line written before the kill.
 *
 * Usage: node --import tsx test/campaign/crash-writer.ts '<json job>'
 */
import type { S3PathOptions } from "../../src/stores/s3-options.js";
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { ArrayFor, DataType } from "../../src/data-types.js";
import type { ColumnDataType } from "../../src/rat/rat-zarr.js";
import { RatZarr } from "../../src/node/index.js";
import { seededRandom } from "../helpers/campaign.js";

/** Rows per chunk of every column: small, so that a few hundred rows make many chunks. */
export const CHUNK = 64;

export interface ColumnSpec {
  readonly name: string;
  readonly dtype: ColumnDataType;
  readonly width: number;
}

/** The columns of the trial RAT (created by the parent before the first trial). */
export const COLUMNS: readonly ColumnSpec[] = [
  { name: "f64", dtype: "float64", width: 1 },
  { name: "i32", dtype: "int32", width: 1 },
  { name: "label", dtype: "string", width: 1 },
  { name: "rgb", dtype: "uint16", width: 3 },
];

/** What the parent asks one child to do. */
export interface CrashJob {
  readonly path: string;
  /** The generation this child writes (1, 2, ...). */
  readonly g: number;
  /** The row count after this child's grow. */
  readonly rows: number;
  /** Seeds the order of the steps and the block patterns. */
  readonly seed: number;
  /** `writeBehind` of the handle (0: off). */
  readonly writeBehind: number;
  /** Grow before anything else, so that every row gets written (the parent's final, unkilled run). */
  readonly growFirst?: boolean;
  readonly s3?: S3PathOptions | undefined;
}

const SUFFIXES = ["", "é", "✓✓", "🦘", "xxxxxxxx", "Zürich ", "日本"];

/**
 * Element `c` of row `row` as generation `g` writes it (generation 0: the fill value).
 * Distinct generations give distinct values for every row, and no row of a generation
 * above 0 equals the fill value: float64 and int32 carry the generation in their high
 * part, uint16 as `g * 7919` modulo 2^16 (odd, so one-to-one), strings in their text.
 */
export function element(dtype: ColumnDataType, g: number, row: number, c: number): number | string {
  if (g === 0) return dtype === "string" ? "" : 0;
  switch (dtype) {
    case "float64":
      return g * 1e6 + row + 0.5;
    case "int32":
      return g * 65536 + row;
    case "string":
      return `g${g}:r${row}${SUFFIXES[(g + row) % SUFFIXES.length]}`;
    case "uint16":
      return (g * 7919 + row * 31 + c * 3 + 1) & 0xffff;
    default:
      throw new Error(`crash trials: no values for data type ${dtype}`);
  }
}

/** Rows [start, stop) of a column as generation `g` writes them (flat row-major). */
export function valuesOf(col: ColumnSpec, g: number, start: number, stop: number): ArrayFor<DataType> {
  const n = (stop - start) * col.width;
  const at = (i: number) => element(col.dtype, g, start + Math.floor(i / col.width), i % col.width);
  switch (col.dtype) {
    case "float64":
      return Float64Array.from({ length: n }, (_, i) => at(i) as number);
    case "int32":
      return Int32Array.from({ length: n }, (_, i) => at(i) as number);
    case "uint16":
      return Uint16Array.from({ length: n }, (_, i) => at(i) as number);
    case "string":
      return Array.from({ length: n }, (_, i) => at(i) as string);
    default:
      throw new Error(`crash trials: no values for data type ${col.dtype}`);
  }
}

/** True when row `row` of `data` (the column read whole, flat) holds generation `g`'s values. */
export function rowHolds(col: ColumnSpec, data: ArrayLike<unknown>, row: number, g: number): boolean {
  for (let c = 0; c < col.width; c++) if (data[row * col.width + c] !== element(col.dtype, g, row, c)) return false;
  return true;
}

type Pattern = "aligned" | "unaligned" | "reversed" | "concurrent" | "whole";
const PATTERNS: readonly Pattern[] = ["aligned", "unaligned", "reversed", "concurrent", "whole"];

/** [start, stop) of the blocks of one pattern over rows [0, n). */
function blocksOf(pattern: Pattern, n: number, random: () => number): [number, number][] {
  if (n === 0) return [];
  if (pattern === "whole") return [[0, n]];
  const size = pattern === "aligned" ? CHUNK * (1 + Math.floor(random() * 2)) : [13, 37, 50, 101][Math.floor(random() * 4)]!;
  const out: [number, number][] = [];
  // Unaligned patterns start with a short block, so that no later block starts on a chunk boundary by chance.
  let at = pattern === "aligned" ? 0 : Math.min(n, 1 + Math.floor(random() * (size - 1)));
  if (at > 0) out.push([0, at]);
  for (; at < n; at += size) out.push([at, Math.min(n, at + size)]);
  return pattern === "reversed" ? out.reverse() : out;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

interface Step {
  readonly label: string;
  readonly run: () => Promise<void>;
}

/** The steps of one job, in the order they run. */
async function plan(rz: RatZarr, job: CrashJob): Promise<Step[]> {
  const random = seededRandom(job.seed);
  const { g } = job;
  const oldRows = rz.getRowCount();
  const rat = await rz.getRatAttributeMapping();
  const oldStamps = rat.keys().filter((k) => k.startsWith("stamp_") && k !== `stamp_${g}`);

  const writes = (col: ColumnSpec, rows: number): Step[] => {
    const pattern = PATTERNS[Math.floor(random() * PATTERNS.length)]!;
    const blocks = blocksOf(pattern, rows, random);
    const write = ([a, b]: [number, number]) => rz.writeBlock(col.name, valuesOf(col, g, a, b), a);
    const steps: Step[] = pattern === "concurrent"
      ? [{ label: `write ${col.name} ${blocks.length} blocks at once`, run: async () => void (await Promise.all(blocks.map(write))) }]
      : blocks.map((blk) => ({ label: `write ${col.name} rows ${blk[0]}-${blk[1]} (${pattern})`, run: () => write(blk) }));
    steps.push({ label: `attributes of ${col.name}`, run: async () => (await rz.getColumnAttributeMapping(col.name)).update({ crash_gen: g, crash_text: `g${g}` }) });
    return steps;
  };

  // Groups of steps in a seeded order; the grow at a seeded place among them.
  const groups: (((rows: number) => Step[]) | "grow")[] = shuffle<((rows: number) => Step[]) | "grow">([
    () => [{ label: "RAT attributes", run: () => rat.update({ crash_gen: g, crash_text: `g${g}` }) }],
    () => [
      { label: `stamp_${g}`, run: () => rat.set(`stamp_${g}`, g) },
      ...oldStamps.map((k) => ({ label: `delete ${k}`, run: async () => void (await rat.delete(k)) })),
    ],
    ...COLUMNS.map((col) => (rows: number) => writes(col, rows)),
    ...(job.growFirst ? [] : ["grow" as const]),
  ], random);
  if (job.growFirst) groups.unshift("grow");
  const steps: Step[] = [];
  let rows = oldRows;
  for (const group of groups) {
    if (group === "grow") {
      steps.push({ label: `grow to ${job.rows}`, run: () => rz.setRowCount(job.rows) });
      rows = job.rows;
    } else {
      steps.push(...group(rows));
    }
  }
  steps.push({ label: "flush", run: () => rz.flush() });
  return steps;
}

async function main(job: CrashJob): Promise<void> {
  const rz = await RatZarr.open(job.path, {
    create: false,
    writeBehind: job.writeBehind,
    provenance: { user: `crash-g${job.g}`, argv: ["crash-writer", String(job.g)] },
    onWarning: () => undefined,
    ...(job.s3 ? { s3: job.s3 } : {}),
  });
  const steps = await plan(rz, job);
  console.log(`plan ${steps.length}`);
  for (const [k, step] of steps.entries()) {
    console.log(`begin ${k} ${step.label}`);
    await step.run();
    console.log(`end ${k} ${step.label}`);
  }
  await rz.close();
  console.log("done");
}

// Run only as the child process: the parent imports the value functions above.
const argv1 = process.argv[1];
if (argv1 !== undefined && realpathSync(resolve(argv1)) === realpathSync(import.meta.filename)) {
  await main(JSON.parse(process.argv[2] ?? "null") as CrashJob);
}
