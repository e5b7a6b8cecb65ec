/**
 * Runs a fast-check campaign on a worker thread, so that a case which hangs
 * (even in a synchronous loop), fills the JS heap or grows the process past
 * a memory bound is stopped and reported with the case, instead of stopping
 * the whole test run.
 *
 * A campaign is a generator of cases and a function that runs one case and
 * names how it ended: a label for correct data, or the name of the
 * `RatZarrError` subclass it threw. Anything else (another error type, an
 * unhandled rejection, a case past its time or memory bound) fails the
 * property; fast-check then shrinks it and prints the seed, the replay path
 * and the smallest case. The seed is `campaignSeed(name)`, so the whole run
 * replays with RATZARR_CAMPAIGN_SEED.
 *
 * Main thread: `runFuzzCampaign`. Worker thread: the module that defines the
 * campaign is imported again there and its `campaigns` export is used.
 */
import * as fc from "fast-check";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { RatZarrError } from "../../src/errors.js";
import { campaignReport, campaignSeed } from "../helpers/campaign.js";

/** What one case ended in: a label for correct data, or the error class name. */
export type Outcome = string;

/** A campaign: cases, the shared state they start from, and how one case runs. */
export interface FuzzCampaign<Case, State> {
  /** Built once per run (deterministic: the seed must replay the same cases). */
  setup(): Promise<State>;
  readonly cases: fc.Arbitrary<Case>;
  /** Run one case; resolve with a label for correct data, or throw (a RatZarrError, or a failure). */
  run(state: State, c: Case): Promise<Outcome>;
  /** Check that untouched data still reads exactly (after every `controlEvery` cases and at the end); throws otherwise. */
  control(state: State): Promise<void>;
}

/** A failure that is not an error type: wrong data, a broken post-condition, or another error type where a RatZarrError belongs. */
export class WrongResult extends Error {
  override name = "WrongResult";
}

/** `what` threw `e`, which is not a RatZarrError: a WrongResult naming the error and the first frames it came from. */
export function unexpected(what: string, e: unknown): WrongResult {
  const where = e instanceof Error ? (e.stack ?? "").split("\n").slice(1, 4).map((l) => l.trim()).join(" < ") : "";
  return new WrongResult(`${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : typeof e}${where === "" ? "" : ` (${where})`}`, { cause: e });
}

export interface FuzzPlan {
  /** Campaign name (figures line, seed). */
  readonly name: string;
  /** The module whose `campaigns` export holds the campaign (import.meta.url of the test file). */
  readonly module: string;
  /** Key in that module's `campaigns`. */
  readonly campaign: string;
  readonly numRuns: number;
  /** A case running longer than this fails (and is shrunk); one that blocks the thread (a synchronous hang) gets the worker stopped at twice this. */
  readonly caseTimeoutMs: number;
  /** Resident set size the process may reach (the worker checks after each case; the main thread stops it at 1.25x). */
  readonly rssLimitBytes: number;
  /** Run `control` after every this many cases (and at the end). */
  readonly controlEvery?: number;
  /** The whole run, shrinking included, stops after this (default 3 minutes); the figures say how many cases ran. */
  readonly timeLimitMs?: number;
  /** Replay one case: fast-check's `path` from a failure report (with the same seed). */
  readonly path?: string;
  /** JS heap of the worker (default 1024 MB): a case that fills it is reported, not fatal. */
  readonly heapMb?: number;
}

export interface FuzzResult {
  readonly figures: Record<string, number | string>;
  /** Undefined when every case passed. */
  readonly failure: string | undefined;
}

type ToMain =
  | { type: "start"; index: number; shown: string }
  | { type: "end"; index: number }
  | { type: "done"; counts: Record<string, number>; cases: number; shrinks: number; failure: string | undefined; maxRss: number };

interface Job {
  readonly module: string;
  readonly campaign: string;
  readonly seed: number;
  readonly numRuns: number;
  readonly caseTimeoutMs: number;
  readonly rssLimitBytes: number;
  readonly controlEvery: number;
  readonly timeLimitMs: number;
  readonly path: string | undefined;
}

const MB = 1024 * 1024;

/** Run `plan` on a worker thread; records the figures with `campaignReport` and returns them with the failure, if any. */
export async function runFuzzCampaign(plan: FuzzPlan): Promise<FuzzResult> {
  const seed = campaignSeed(plan.name);
  const job: Job = { module: plan.module, campaign: plan.campaign, seed, numRuns: plan.numRuns, caseTimeoutMs: plan.caseTimeoutMs, rssLimitBytes: plan.rssLimitBytes, controlEvery: plan.controlEvery ?? 25, timeLimitMs: plan.timeLimitMs ?? 180_000, path: plan.path };
  // tsx's hooks are registered on the worker's own loader before the TypeScript module loads.
  const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const t0 = performance.now();
  const worker = new Worker(boot, { eval: true, workerData: job, resourceLimits: { maxOldGenerationSizeMb: plan.heapMb ?? 1024 }, stdout: false, stderr: false });
  let current: { index: number; shown: string; since: number } | undefined;
  let maxRss = 0;
  let slowest = { ms: 0, shown: "" };
  const outcome = await new Promise<{ done?: Extract<ToMain, { type: "done" }>; stopped?: string }>((resolve) => {
    let settled = false;
    const finish = (r: { done?: Extract<ToMain, { type: "done" }>; stopped?: string }) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      resolve(r);
    };
    const stop = (why: string) => {
      const c = current === undefined ? "between cases" : `case #${current.index}: ${current.shown}`;
      void worker.terminate();
      // Before the first failure, run i is fast-check's path "i".
      finish({ stopped: `${why} (${c}); replay with RATZARR_CAMPAIGN_SEED as printed above (fast-check seed ${seed}, path "${current?.index ?? 0}")` });
    };
    const watch = setInterval(() => {
      const rss = process.memoryUsage().rss;
      maxRss = Math.max(maxRss, rss);
      if (rss > plan.rssLimitBytes * 1.25) stop(`resident memory ${Math.round(rss / MB)} MB passed ${Math.round((plan.rssLimitBytes * 1.25) / MB)} MB`);
      else if (current !== undefined && performance.now() - current.since > 2 * plan.caseTimeoutMs + 5_000) stop(`a case ran for more than ${Math.round((2 * plan.caseTimeoutMs + 5_000) / 1000)} s without yielding (hang)`);
    }, 100);
    worker.on("message", (m: ToMain) => {
      if (m.type === "start") current = { index: m.index, shown: m.shown, since: performance.now() };
      else if (m.type === "end") {
        const ms = current === undefined ? 0 : performance.now() - current.since;
        if (current !== undefined && ms > slowest.ms) slowest = { ms, shown: current.shown };
        current = undefined;
      } else finish({ done: m });
    });
    worker.on("error", (e) => stop(`the worker failed: ${e.message}`));
    worker.on("exit", (code) => finish({ stopped: `the worker exited (code ${code}) before the campaign ended${current === undefined ? "" : ` (case #${current.index}: ${current.shown})`}` }));
  });
  await worker.terminate();
  const done = outcome.done;
  const figures: Record<string, number | string> = { seed, asked: plan.numRuns, cases: done?.cases ?? "stopped" };
  for (const [k, v] of Object.entries(done?.counts ?? {}).sort()) figures[k] = v;
  const failure = outcome.stopped ?? done?.failure;
  figures["other"] = failure === undefined ? 0 : 1;
  if (done !== undefined && done.shrinks > 0) figures["shrink runs"] = done.shrinks;
  figures["peak rss MB"] = Math.round(Math.max(maxRss, done?.maxRss ?? 0) / MB);
  figures["slowest case ms"] = Math.round(slowest.ms);
  figures["seconds"] = Number(((performance.now() - t0) / 1000).toFixed(1));
  if (slowest.ms > plan.caseTimeoutMs / 4) console.log(`campaign ${plan.name}: slowest case (${Math.round(slowest.ms)} ms): ${slowest.shown}`);
  campaignReport(plan.name, figures);
  return { figures, failure };
}

/** Worker side: run the campaign named in `workerData`, post start/end of each case, then the counts. */
async function runInWorker(job: Job): Promise<void> {
  const post = (m: ToMain) => parentPort!.postMessage(m);
  // The runner installs the native zstd in the main thread; this thread gets the same backend.
  await import("../../src/node/index.js");
  const mod = (await import(job.module)) as { campaigns?: Record<string, FuzzCampaign<unknown, unknown>> };
  const campaign = mod.campaigns?.[job.campaign];
  if (campaign === undefined) throw new Error(`${job.module} has no campaign "${job.campaign}"`);
  const state = await campaign.setup();
  const counts: Record<string, number> = {};
  let index = 0;
  let cases = 0;
  let failedAt: number | undefined;
  let maxRss = 0;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on("unhandledRejection", onRejection);
  const property = fc.asyncProperty(campaign.cases, async (c) => {
    const i = index++;
    try {
      post({ type: "start", index: i, shown: fc.stringify(c).slice(0, 2000) });
      let outcome: Outcome;
      let timer: NodeJS.Timeout | undefined;
      try {
        // A case that does not settle in time fails (it goes on in the background: nothing can stop it).
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new WrongResult(`the case did not finish within ${job.caseTimeoutMs} ms`)), job.caseTimeoutMs);
        });
        outcome = await Promise.race([campaign.run(state, c), late]);
      } catch (e) {
        if (!(e instanceof RatZarrError)) throw e;
        outcome = e.name;
      } finally {
        clearTimeout(timer);
        post({ type: "end", index: i });
      }
      // Rejections nobody handled surface after a macrotask.
      await new Promise((r) => setImmediate(r));
      if (rejections.length > 0) {
        const reason = rejections.splice(0)[0];
        throw new WrongResult(`an unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
      }
      const rss = process.memoryUsage().rss;
      maxRss = Math.max(maxRss, rss);
      if (rss > job.rssLimitBytes) throw new WrongResult(`resident memory ${Math.round(rss / MB)} MB after the case, more than ${Math.round(job.rssLimitBytes / MB)} MB`);
      // Counted until the first failure: the runs after it are fast-check's shrinks.
      if (failedAt === undefined) {
        cases++;
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        if (cases % job.controlEvery === 0) await campaign.control(state);
      }
    } catch (e) {
      failedAt ??= i;
      throw e;
    }
  });
  // The whole run, shrinking included, stops after `timeLimitMs` (the figures say how many cases ran).
  const details = await fc.check(property, { seed: job.seed, numRuns: job.numRuns, plugins: [fc.interruptAfterTimeLimit(job.timeLimitMs)], ...(job.path === undefined ? {} : { path: job.path }) });
  let failure: string | undefined;
  if (details.failed) {
    const e = details.errorInstance;
    const error = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
    failure = `${(await fc.asyncDefaultReportMessage(details)) ?? "failed"}\nError of the shrunk case: ${error}\nReplay: RATZARR_CAMPAIGN_SEED as printed above, or this campaign alone with fast-check { seed: ${details.seed}, path: "${details.counterexamplePath ?? ""}" }`;
  }
  process.off("unhandledRejection", onRejection);
  if (failure === undefined) {
    try {
      await campaign.control(state);
    } catch (e) {
      failure = `the control data no longer reads exactly after the campaign: ${e instanceof Error ? e.stack : String(e)}`;
    }
  }
  post({ type: "done", counts, cases, shrinks: failedAt === undefined ? 0 : index - failedAt - 1, failure, maxRss });
}

// In the worker started by runFuzzCampaign (zstd's worker threads never load this module).
if (!isMainThread && parentPort !== null && (workerData as Partial<Job> | undefined)?.campaign !== undefined) {
  runInWorker(workerData as Job).catch((e: unknown) => {
    parentPort!.postMessage({ type: "done", counts: {}, cases: 0, shrinks: 0, failure: `the campaign could not run: ${e instanceof Error ? e.stack : String(e)}`, maxRss: 0 } satisfies ToMain);
  });
}
