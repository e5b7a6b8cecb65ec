/**
 * One "array job" of the partition campaign (test/campaign/partition.test.ts), run as
 * `node --import tsx partition-job.ts '<job JSON>'` with its index in
 * AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX, as AWS Batch and Kubernetes give it.
 * It builds its share of one RAT whose columns are computed from the row number, and
 * prints `block N` after each block its function finished and `done` at the end.
 * The test also calls `buildRat` itself, without a partition, for the single-process run.
 */
import { fileURLToPath } from "node:url";
import { applyBlocks, type ApplyBlocksResult, type BlockFunction, partitionFromEnv, partitionVariables } from "../../src/node/index.js";

export interface PartitionJob {
  readonly path: string;
  readonly rows: number;
  readonly blockLen: number;
  readonly count: number;
  /** Wait this long after each block (so that a kill lands mid-way). */
  readonly delayMs?: number;
  readonly s3?: Record<string, unknown>;
}

/** The campaign's columns, each a function of the row number r. */
export const PARTITION_COLUMNS = ["id", "half_square", "class", "frac"] as const;

export const rowFunction: BlockFunction = (state, _inputs, outputs) => {
  const n = state.blockLen;
  const id = new Int32Array(n);
  const half = new Float64Array(n);
  const cls = new Uint8Array(n);
  const frac = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = state.startRow + i;
    id[i] = r;
    half[i] = (r * r) / 2;
    cls[i] = (r * 7919) % 251;
    frac[i] = Math.sin(r);
  }
  const out = outputs["rat"]!;
  out["id"] = id;
  out["half_square"] = half;
  out["class"] = cls;
  out["frac"] = frac;
};

/** Build the RAT at `job.path` (this job's share with `partition`, all of it without). */
export function buildRat(job: PartitionJob, partition?: { index: number; count: number }, onBlock?: (b: number) => void): Promise<ApplyBlocksResult> {
  const delay = job.delayMs ?? 0;
  return applyBlocks(async (state, inputs, outputs) => {
    await rowFunction(state, inputs, outputs);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  }, {
    outputs: { rat: job.path },
    rowCount: job.rows,
    blockLen: job.blockLen,
    ...(partition === undefined ? {} : { partition }),
    ...(onBlock === undefined ? {} : { onProgress: (p: { blockIndex: number }) => onBlock(p.blockIndex) }),
    open: { onWarning: () => undefined, ...(job.s3 === undefined ? {} : { s3: job.s3 }) },
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const job = JSON.parse(process.argv[2]!) as PartitionJob;
  const partition = partitionFromEnv(partitionVariables(), job.count);
  try {
    const result = await buildRat(job, partition, (b) => process.stdout.write(`block ${b}\n`));
    process.stdout.write(`done ${partition.index} ${result.blocks}\n`);
    process.exit(0);
  } catch (e) {
    process.stderr.write(`job ${partition.index}: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  }
}
