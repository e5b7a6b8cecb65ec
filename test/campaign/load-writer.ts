/**
 * One writer of the load campaign (test/campaign/load.test.ts): writes whole
 * blocks of generation-tagged values into random places of one RAT until told
 * to stop. Before each write it announces the block (and waits for the go, so
 * that the test knows of every value before it can be read); after it, it
 * reports the write done. Runs in the test's process (`runWriter`) or as a
 * child process over IPC:
 *   node --import tsx test/campaign/load-writer.ts '<json job>'
 */
import { fileURLToPath } from "node:url";
import { RatZarr } from "../../src/node/index.js";
import { seededRandom } from "../helpers/campaign.js";

/** The columns of the load RAT, and how a row's value tells who wrote it. */
export const LOAD_COLUMNS = [
  { name: "f", dtype: "float64", width: 1 },
  { name: "s", dtype: "string", width: 1 },
  { name: "p", dtype: "int32", width: 2 },
] as const;
export type LoadColumn = (typeof LOAD_COLUMNS)[number]["name"];

/** The values writer `w` (< 8), generation `g` (from 1, < 2^19) puts in row `r` (< 4096). */
export function tagged(column: LoadColumn, w: number, g: number, r: number): (number | string)[] {
  if (column === "f") return [(w * 2 ** 20 + g) * 2 ** 16 + r];
  if (column === "s") return [`${w}.${g}.${r}`];
  // Both values carry the generation: a row made of two writes' halves does not decode.
  return [w * 2 ** 24 + g, g * 2 ** 12 + r];
}

/** Who wrote a row's values: writer, generation and the row they meant; "fill" for the fill value; undefined for anything else. */
export function untag(column: LoadColumn, values: readonly (number | string)[]): { w: number; g: number; r: number } | "fill" | undefined {
  if (column === "f") {
    const v = values[0] as number;
    if (v === 0) return "fill";
    if (!Number.isSafeInteger(v) || v < 0) return undefined;
    return { w: Math.floor(v / 2 ** 36), g: Math.floor(v / 2 ** 16) % 2 ** 20, r: v % 2 ** 16 };
  }
  if (column === "s") {
    const v = values[0] as string;
    if (v === "") return "fill";
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
    return m === null ? undefined : { w: Number(m[1]), g: Number(m[2]), r: Number(m[3]) };
  }
  const [a, b] = values as number[];
  if (a === 0 && b === 0) return "fill";
  if (a === undefined || b === undefined || a < 0 || b < 0 || Math.floor(b / 2 ** 12) !== a % 2 ** 24) return undefined;
  return { w: Math.floor(a / 2 ** 24), g: a % 2 ** 24, r: b % 2 ** 12 };
}

/** A block of writer `w`'s generation `g`, as the column's array. */
export function taggedBlock(column: LoadColumn, w: number, g: number, start: number, n: number): Float64Array | Int32Array | string[] {
  const flat = Array.from({ length: n }, (_, i) => tagged(column, w, g, start + i)).flat();
  if (column === "s") return flat as string[];
  return column === "f" ? Float64Array.from(flat as number[]) : Int32Array.from(flat as number[]);
}

export interface WriterJob {
  readonly path: string;
  readonly id: number;
  readonly seed: number;
  readonly rows: number;
  readonly chunk: number;
  /** Write-behind for this writer (each block flushed before it counts as done). */
  readonly writeBehind: boolean;
  /** Hard stop in ms since the writer started, whatever the test says. */
  readonly maxMs: number;
  readonly s3?: Record<string, unknown>;
}

export interface Intent {
  readonly g: number;
  readonly column: LoadColumn;
  readonly start: number;
  readonly n: number;
}

/** How a writer talks to the test. */
export interface WriterChannel {
  /** The RAT is open: writing starts. */
  ready(): void;
  /** Announce a write; resolves when the test has recorded it. */
  begin(intent: Intent): Promise<void>;
  done(g: number): void;
  /** True once the test wants the writer to stop. */
  stopping(): boolean;
}

/** Write until told to stop (or `maxMs` passes); resolves with the number of writes done. */
export async function runWriter(job: WriterJob, channel: WriterChannel): Promise<number> {
  const rnd = seededRandom(job.seed);
  const until = Date.now() + job.maxMs;
  const rz = await RatZarr.open(job.path, { create: false, onWarning: () => undefined, writeBehind: job.writeBehind ? 4 : 0, provenance: { user: `load-writer-${job.id}`, argv: [] }, ...(job.s3 === undefined ? {} : { s3: job.s3 }) });
  let g = 0;
  channel.ready();
  try {
    // Bounded in time and in count (generations must stay below 2^19 for the int32 tags).
    while (!channel.stopping() && Date.now() < until && g < 500_000) {
      const column = LOAD_COLUMNS[Math.floor(rnd() * LOAD_COLUMNS.length)]!.name;
      // A third aligned to whole chunks (stored without reading), the rest anywhere (read-modify-write).
      const aligned = rnd() < 0.3;
      const start = aligned ? job.chunk * Math.floor(rnd() * (job.rows / job.chunk)) : Math.floor(rnd() * job.rows);
      const n = Math.min(job.rows - start, aligned ? job.chunk * (1 + Math.floor(rnd() * 2)) : 1 + Math.floor(rnd() * job.chunk * 2));
      const intent = { g: ++g, column, start, n };
      await channel.begin(intent);
      await rz.writeBlock(column, taggedBlock(column, job.id, intent.g, start, n), start);
      if (job.writeBehind) await rz.flush();
      channel.done(intent.g);
    }
  } finally {
    await rz.close();
    // The S3 client this handle made for itself (RatZarr.close leaves it open).
    (rz.store as { client?: { destroy(): void } }).client?.destroy();
  }
  return g;
}

// ---- as a child process ----

type FromTest = { t: "go"; g: number } | { t: "stop" };

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1] && process.send !== undefined) {
  const job = JSON.parse(process.argv[2]!) as WriterJob;
  const send = (m: object) => process.send!(m);
  const waiting = new Map<number, () => void>();
  let stop = false;
  process.on("message", (m: FromTest) => {
    if (m.t === "stop") stop = true;
    else waiting.get(m.g)?.();
  });
  // The test is gone: nobody to report to.
  let finished = false;
  process.on("disconnect", () => finished || process.exit(2));
  const hardStop = setTimeout(() => process.exit(3), job.maxMs + 30_000);
  hardStop.unref();
  const last = (m: object) => {
    finished = true;
    process.send!(m, () => process.disconnect());
  };
  try {
    const writes = await runWriter(job, {
      ready: () => send({ t: "ready" }),
      begin: (intent) => new Promise<void>((resolve) => {
        waiting.set(intent.g, () => (waiting.delete(intent.g), resolve()));
        send({ t: "begin", ...intent });
      }),
      done: (g) => send({ t: "done", g }),
      stopping: () => stop,
    });
    last({ t: "bye", writes });
  } catch (e) {
    process.exitCode = 1;
    last({ t: "error", message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
}
