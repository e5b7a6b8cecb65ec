/**
 * Partitions of the block loop: job `index` of `count` jobs (AWS Batch array
 * jobs, Kubernetes indexed Jobs, GNU parallel) processes one contiguous run
 * of blocks, so that the jobs together process every block exactly once.
 *
 * Contiguous runs rather than every count-th block: each job then reads its
 * inputs in order (read-ahead works), and two jobs share at most the chunk
 * at the boundary of their runs. With a block length that is a multiple of
 * the chunk size (what the applier's chunk rule gives a RAT it creates),
 * they share none; otherwise the shared chunks are written by the library's
 * conditional read-modify-write, which keeps both jobs' rows.
 */
import { RatZarrError, showValue } from "../../errors.js";

/** Job `index` (from 0) of `count` jobs. */
export interface Partition {
  readonly index: number;
  readonly count: number;
}

/** Throw unless `p` is a partition: integers with 0 <= index < count. */
export function checkPartition(p: Partition): void {
  if (typeof p !== "object" || p === null) throw new RatZarrError(`partition must be { index, count }, got ${showValue(p)}`);
  const { index, count } = p;
  if (!Number.isSafeInteger(count) || count < 1) throw new RatZarrError(`partition count must be an integer >= 1, got ${showValue(count)}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) throw new RatZarrError(`partition index must be an integer from 0 to ${count - 1} (count ${count}), got ${showValue(index)}`);
}

/** The blocks `[first, end)` that partition `p` processes of `blocks` blocks: the i-th of `count` near-equal contiguous runs. */
export function partitionBlocks(blocks: number, p: Partition = { index: 0, count: 1 }): { readonly first: number; readonly end: number } {
  checkPartition(p);
  // Integer arithmetic on safe integers: runs differ in length by at most one block.
  const first = Math.floor((blocks * p.index) / p.count);
  const end = Math.floor((blocks * (p.index + 1)) / p.count);
  return { first, end };
}

/** The environment variables job engines set to a job's index, first one wins when both are set alike. */
export const PARTITION_INDEX_VARIABLES = ["AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"] as const;

/** Their values, as read by the caller (on Node: `partitionVariables()` of the Node entry). */
export type PartitionVariables = { readonly [K in (typeof PARTITION_INDEX_VARIABLES)[number]]?: string | undefined };

/**
 * The partition of this job of `count` jobs, from the index an engine gives: AWS Batch array
 * jobs set `AWS_BATCH_JOB_ARRAY_INDEX`, Kubernetes indexed Jobs `JOB_COMPLETION_INDEX` (the
 * count is the array size or `completions`, which neither sets: pass it). Neither set, both set
 * to different values, or an index outside 0..count-1: a `RatZarrError` naming the variable.
 */
export function partitionFromEnv(env: PartitionVariables, count: number): Partition {
  if (!Number.isSafeInteger(count) || count < 1) throw new RatZarrError(`partition count must be an integer >= 1, got ${showValue(count)}`);
  let found: { name: string; index: number } | undefined;
  for (const name of PARTITION_INDEX_VARIABLES) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const index = Number(raw);
    if (!/^\s*[0-9]+\s*$/.test(raw) || !Number.isSafeInteger(index)) throw new RatZarrError(`environment variable ${name} must be a job index (an integer >= 0), got ${JSON.stringify(raw)}`);
    if (index >= count) throw new RatZarrError(`environment variable ${name} is ${index}, but there are ${count} jobs (indices 0 to ${count - 1}); is the count right?`, { code: "bounds" });
    if (found !== undefined && found.index !== index) throw new RatZarrError(`environment variables ${found.name} (${found.index}) and ${name} (${index}) give different job indices`);
    found ??= { name, index };
  }
  if (found === undefined) throw new RatZarrError(`no job index: neither ${PARTITION_INDEX_VARIABLES.join(" nor ")} is set (run as an AWS Batch array job or a Kubernetes indexed Job, or pass partition: { index, count })`);
  return { index: found.index, count };
}
