/**
 * Crash trials: a child writer (crash-writer.ts) works on one RAT and is
 * killed with SIGKILL at a seeded moment; then the RAT must open, every chunk
 * must decode, every row of every column must hold its old or its new value,
 * attributes and modification logs must parse and have lost nothing, and the
 * next writer must get through at once (a lock left by the dead process is
 * broken at once, not after the 30 s stale-lock age). The next trial goes on
 * with the same RAT, so damage would accumulate. Last, one child runs to the
 * end and every row must hold its values exactly.
 *
 * On local disk and on every S3 server of the run. Trials: 10 on local disk
 * and 4 per S3 server, times RATZARR_CAMPAIGN_SCALE. The seed draws the kill
 * moments (a step of the child's plan and a delay after it begins), the
 * step order and block patterns of each child, and which children use
 * write-behind; where a kill lands also depends on timing, so a replay kills
 * near, not at, the same places.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ArrayFor, DataType } from "../../src/data-types.js";
import type { ModificationEvent } from "../../src/rat/modification-log.js";
import { RatZarr } from "../../src/node/index.js";
import { type Backend, removeLocalPaths, testBackends } from "../helpers/backends.js";
import { campaignReport, campaignScale, campaignSeed, seededRandom } from "../helpers/campaign.js";
import { CHUNK, COLUMNS, type CrashJob, rowHolds } from "./crash-writer.js";

const LOCAL_TRIALS = 10;
const S3_TRIALS = 4;
/** Rows before the first trial, and rows each generation adds (not a multiple of CHUNK). */
const BASE_ROWS = 600;
const GROW = 29;
/**
 * The next writer after a kill must be done within this: on local disk well under the 30 s
 * stale-lock age; on S3 (no lock files; a stall would be retries and backoff) more room for
 * servers sharing two cores with the test.
 */
const NEXT_WRITER_MS = { local: 5_000, s3: 10_000 } as const;
/** A child that runs longer than this is killed and reported. */
const CHILD_TIMEOUT_MS = 120_000;
/** Failures listed per column per trial (the rest are counted). */
const SHOWN = 3;

const writer = join(import.meta.dirname, "crash-writer.ts");
const seed = campaignSeed("crash");

// ---------------------------------------------------------------------------
// The child and its kill

interface ChildRun {
  readonly lines: string[];
  readonly stderr: string;
  /** The parent sent SIGKILL and the child died of it (not: finished first). */
  readonly killed: boolean;
  readonly code: number | null;
  readonly ms: number;
}

/** Where to kill a child: after it begins a step (any step, the grow, or an attribute step), and how long after. */
interface KillPlan {
  readonly aim: "any step" | "grow" | "attributes";
  /** Which of the aimed steps, as a fraction of their number. */
  readonly at: number;
  readonly delayMs: number;
}

/** The steps a kill may aim at, by their labels in crash-writer.ts. */
const AIMED: Readonly<Record<KillPlan["aim"], RegExp>> = {
  "any step": /^/,
  grow: /^grow to /,
  attributes: /^(attributes of |RAT attributes|stamp_|delete stamp_)/,
};

/**
 * Run one child. With `kill`, SIGKILL it `delayMs` after it begins the aimed step (the
 * `floor(at * n)`-th of the n steps of that kind, counted from the `begin` lines).
 */
function runChild(job: CrashJob, kill: KillPlan | undefined, stepsOfKind: (aim: KillPlan["aim"], planned: number) => number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ["--import", "tsx", writer, JSON.stringify(job)], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    const lines: string[] = [];
    let stderr = "", partial = "", sent = false, armed = false;
    // Set by the plan line, counted down on each begin line of the aimed kind: the kill is armed at 0.
    let countdown = 0;
    const sendKill = () => {
      sent = true;
      p.kill("SIGKILL");
    };
    const guard = setTimeout(sendKill, CHILD_TIMEOUT_MS);
    p.stdout.on("data", (d: Buffer) => {
      const parts = (partial + d.toString()).split("\n");
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (kill === undefined || armed) continue;
        const planned = /^plan (\d+)$/.exec(line);
        if (planned) countdown = Math.floor(kill.at * stepsOfKind(kill.aim, Number(planned[1])));
        const begun = /^begin \d+ (.*)$/.exec(line);
        if (begun === null || !AIMED[kill.aim].test(begun[1]!) || countdown-- > 0) continue;
        armed = true;
        setTimeout(() => !sent && p.exitCode === null && sendKill(), kill.delayMs);
      }
    });
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("error", reject);
    p.on("close", (code, signal) => {
      clearTimeout(guard);
      if (partial !== "") lines.push(partial);
      resolve({ lines, stderr, killed: sent && signal === "SIGKILL", code, ms: performance.now() - t0 });
    });
  });
}

type Landing = "before the plan" | "mid-write" | "between writes" | "after the last step";

/** Where a kill landed, from the child's lines, and the labels of the steps it cut short. */
function landing(run: ChildRun, writeBehind: boolean): { at: Landing; inside: string[] } {
  if (run.lines.includes("done") || run.lines.some((l) => l.startsWith("end ") && l.endsWith(" flush"))) return { at: "after the last step", inside: [] };
  if (!run.lines.some((l) => l.startsWith("plan "))) return { at: "before the plan", inside: [] };
  const open = new Map<string, string>();
  let wrote = false;
  for (const l of run.lines) {
    const m = /^(begin|end) (\d+) (.*)$/.exec(l);
    if (!m) continue;
    if (m[1] === "begin") open.set(m[2]!, m[3]!);
    else {
      open.delete(m[2]!);
      wrote = true;
    }
  }
  // Write-behind: a resolved writeBlock is not stored until the flush.
  return { at: open.size > 0 || (writeBehind && wrote) ? "mid-write" : "between writes", inside: [...open.values()] };
}

// ---------------------------------------------------------------------------
// What the parent knows of the RAT, and the check after each trial

interface ColumnState {
  /** Rows of the column (it may be longer than ROWCOUNT after a kill mid-grow). */
  length: number;
  /** The generation each row holds (0: never written; -1: unknown after a failure). */
  gens: Int32Array;
  attrGen: number | undefined;
  log: ModificationEvent[];
}

interface RatState {
  rowCount: number;
  gen: number | undefined;
  stamps: Set<number>;
  columns: Map<string, ColumnState>;
}

interface Tally {
  trials: number;
  kills: number;
  killsMidWrite: number;
  killsBetweenWrites: number;
  killsBeforePlan: number;
  killsAfterLastStep: number;
  /** Kills while the child was inside its grow, or inside an attribute step. */
  killsInGrow: number;
  killsInAttributes: number;
  finishedBeforeKill: number;
  writeBehindTrials: number;
  /** Checks that found a grow cut short: some columns longer than ROWCOUNT. */
  partialGrows: number;
  rowsChecked: number;
  rowsOld: number;
  rowsNew: number;
  rowsNeverWritten: number;
  rowsOther: number;
  cleanTrials: number;
  failedTrials: number;
  nextWriterMs: number[];
  stalledNextWriters: number;
  /** Local disk: temporary and lock files that were not there before the child and are there after its kill. */
  leftByKills: number;
  /** Local disk: lock files found empty after a kill (made, but the holder's pid not written yet). */
  emptyLocks: number;
  childMs: number[];
}

const newTally = (): Tally => ({
  trials: 0, kills: 0, killsMidWrite: 0, killsBetweenWrites: 0, killsBeforePlan: 0, killsAfterLastStep: 0, killsInGrow: 0, killsInAttributes: 0, finishedBeforeKill: 0, writeBehindTrials: 0,
  partialGrows: 0, rowsChecked: 0, rowsOld: 0, rowsNew: 0, rowsNeverWritten: 0, rowsOther: 0, cleanTrials: 0, failedTrials: 0,
  nextWriterMs: [], stalledNextWriters: 0, leftByKills: 0, emptyLocks: 0, childMs: [],
});

/** The first `rows` rows of a column read whole (flat, `width` values per row). */
function firstRows(data: ArrayFor<DataType>, rows: number, width: number): ArrayFor<DataType> {
  return Array.isArray(data) ? data.slice(0, rows * width) : data.subarray(0, rows * width);
}

const show = (v: unknown) => JSON.stringify(typeof v === "bigint" ? String(v) : v);

/**
 * Check the RAT after a child wrote generation `g` (target row count `rows`) and died,
 * updating `state` to what was found. Returns the columns read whole (for the next
 * writer), or undefined when the RAT did not even open. Problems go to `fail`.
 */
async function check(backend: Backend, path: string, state: RatState, g: number, rows: number, tally: Tally, fail: (m: string) => void): Promise<Map<string, ArrayFor<DataType>> | undefined> {
  let rz: RatZarr;
  try {
    rz = await RatZarr.open(path, { ...backend.options, readOnly: true });
  } catch (e) {
    fail(`the RAT does not open: ${(e as Error).message}`);
    return undefined;
  }
  const read = new Map<string, ArrayFor<DataType>>();
  try {
    const rowCount = rz.getRowCount();
    if (rowCount !== state.rowCount && rowCount !== rows) fail(`ROWCOUNT is ${rowCount}, expected the old ${state.rowCount} or the new ${rows}`);
    let partialGrow = false;
    const names = await rz.getColumnNames();
    if (String(names) !== String(COLUMNS.map((c) => c.name).sort())) fail(`columns are ${show(names)}, expected ${show(COLUMNS.map((c) => c.name).sort())}`);

    for (const col of COLUMNS) {
      const st = state.columns.get(col.name)!;
      let data: ArrayFor<DataType>, length: number;
      try {
        const arr = await rz.openColumn(col.name);
        length = arr.shape[0] ?? 0;
        if (col.width > 1 && arr.shape[1] !== col.width) fail(`column "${col.name}": shape [${arr.shape}], expected width ${col.width}`);
        // Every chunk decodes: the whole column, past ROWCOUNT when a grow was cut short.
        data = await arr.read(0, length);
      } catch (e) {
        fail(`column "${col.name}": cannot be read whole: ${(e as Error).message}`);
        continue;
      }
      read.set(col.name, data);
      if (length !== st.length && length !== rows) fail(`column "${col.name}": ${length} rows, expected the old ${st.length} or the new ${rows}`);
      if (length < rowCount) fail(`column "${col.name}": ${length} rows, fewer than ROWCOUNT ${rowCount}`);
      if (length > rowCount) partialGrow = true;
      if (rowCount === rows && length !== rows) fail(`column "${col.name}": ${length} rows although ROWCOUNT is already the new ${rows} (columns are resized before ROWCOUNT)`);

      const gens = new Int32Array(length);
      let bad = 0;
      for (let row = 0; row < length; row++) {
        tally.rowsChecked++;
        const old = row < st.length ? st.gens[row]! : 0;
        if (old >= 0 && rowHolds(col, data, row, old)) {
          gens[row] = old;
          if (old === 0) tally.rowsNeverWritten++;
          else tally.rowsOld++;
        } else if (rowHolds(col, data, row, g)) {
          gens[row] = g;
          tally.rowsNew++;
        } else if (old === -1) {
          gens[row] = -1; // already reported
        } else {
          gens[row] = -1;
          tally.rowsOther++;
          if (++bad <= SHOWN) {
            const found = Array.from({ length: col.width }, (_, c) => (data as ArrayLike<unknown>)[row * col.width + c]);
            fail(`column "${col.name}" row ${row}: holds ${show(found)}, neither generation ${old} (old) nor ${g} (new)`);
          }
        }
      }
      if (bad > SHOWN) fail(`column "${col.name}": ${bad - SHOWN} more rows hold neither their old nor their new value`);
      st.length = length;
      st.gens = gens;

      try {
        const attrs = (await rz.getColumnAttributeMapping(col.name)).toJSON();
        const gen = attrs["crash_gen"];
        if (gen !== st.attrGen && gen !== g) fail(`column "${col.name}": attribute crash_gen is ${show(gen)}, expected ${show(st.attrGen)} (old) or ${g} (new)`);
        else if (gen !== undefined && attrs["crash_text"] !== `g${String(gen)}`) fail(`column "${col.name}": attributes crash_gen ${show(gen)} and crash_text ${show(attrs["crash_text"])} were written in one update but disagree`);
        else st.attrGen = gen as number | undefined;
      } catch (e) {
        fail(`column "${col.name}": attributes do not parse: ${(e as Error).message}`);
      }

      try {
        const log = await rz.getModificationLog(col.name);
        const kept = log.slice(0, st.log.length);
        if (JSON.stringify(kept) !== JSON.stringify(st.log)) fail(`column "${col.name}": modification log lost or changed entries: had ${show(st.log)}, now ${show(log)}`);
        const added = log.slice(st.log.length);
        if (added.length > 1 || added.some((e) => e[1] !== `crash-g${g}` || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/.test(e[0]))) fail(`column "${col.name}": modification log gained ${show(added)}, expected at most one entry by crash-g${g}`);
        st.log = log;
      } catch (e) {
        fail(`column "${col.name}": modification log does not parse: ${(e as Error).message}`);
      }
    }

    if (partialGrow) tally.partialGrows++;
    try {
      const attrs = (await rz.getRatAttributeMapping()).toJSON();
      if (attrs["ROWCOUNT"] !== rowCount) fail(`RAT attribute ROWCOUNT ${show(attrs["ROWCOUNT"])} is not the row count ${rowCount}`);
      if (attrs["CHUNKSIZE"] !== CHUNK) fail(`RAT attribute CHUNKSIZE ${show(attrs["CHUNKSIZE"])}, expected ${CHUNK}`);
      const gen = attrs["crash_gen"];
      if (gen !== state.gen && gen !== g) fail(`RAT attribute crash_gen is ${show(gen)}, expected ${show(state.gen)} (old) or ${g} (new)`);
      else if (gen !== undefined && attrs["crash_text"] !== `g${String(gen)}`) fail(`RAT attributes crash_gen ${show(gen)} and crash_text ${show(attrs["crash_text"])} were written in one update but disagree`);
      else state.gen = gen as number | undefined;
      // stamp_<g> is set first, then the older ones are deleted one by one.
      const stamps = new Set(Object.keys(attrs).filter((k) => k.startsWith("stamp_")).map((k) => Number(k.slice(6))));
      const same = stamps.size === state.stamps.size && [...stamps].every((s) => state.stamps.has(s));
      const fromOld = [...stamps].every((s) => s === g || state.stamps.has(s));
      if (!same && (!stamps.has(g) || !fromOld)) fail(`RAT stamps are ${show([...stamps])}, expected the old ${show([...state.stamps])}, or stamp_${g} with some of them`);
      state.stamps = stamps;
      state.rowCount = rowCount;
    } catch (e) {
      fail(`RAT attributes do not parse: ${(e as Error).message}`);
    }
  } finally {
    await rz.close();
  }
  return read;
}

/**
 * The next writer after a kill: set an attribute on the RAT and on every column, and write
 * every chunk of every column again with the values it holds (every key the dead child may
 * have held a lock on). Returns the milliseconds it took; re-reads the logs it added to.
 */
async function nextWriter(backend: Backend, path: string, state: RatState, read: Map<string, ArrayFor<DataType>>, trial: number): Promise<number> {
  const t0 = performance.now();
  const rz = await RatZarr.open(path, { ...backend.options, create: false, provenance: { user: "crash-probe", argv: [] }, onWarning: () => undefined });
  let ms: number;
  try {
    await (await rz.getRatAttributeMapping()).set("probe", trial);
    for (const col of COLUMNS) {
      await (await rz.getColumnAttributeMapping(col.name)).set("probe", trial);
      const data = read.get(col.name);
      if (data !== undefined) await rz.writeBlock(col.name, firstRows(data, rz.getRowCount(), col.width), 0);
    }
    await rz.flush();
    ms = performance.now() - t0;
    for (const col of COLUMNS) state.columns.get(col.name)!.log = await rz.getModificationLog(col.name);
  } finally {
    await rz.close();
  }
  return ms;
}

/** Lock files under a local RAT, each with its size (an empty one names no process, so it is judged by age alone). */
function lockFiles(path: string): { name: string; size: number }[] {
  try {
    return readdirSync(path, { recursive: true, encoding: "utf8" })
      .filter((f) => /ratzarr-lock/.test(f))
      .map((f) => {
        try {
          return { name: f, size: statSync(join(path, f)).size };
        } catch {
          return { name: f, size: -1 };
        }
      });
  } catch {
    return [];
  }
}

/** Temporary, lock and lock-break files under a local RAT (old names `*.ratzarr-tmp`, `*.ratzarr-lock*`, and the new `__*` ones). */
function leftovers(path: string): number {
  try {
    return readdirSync(path, { recursive: true, encoding: "utf8" }).filter((f) => /ratzarr-(tmp|lock|break)/.test(f)).length;
  } catch {
    return 0;
  }
}

/** The error a child printed: the first line that names one, else the last lines. */
function errorOf(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const named = lines.find((l) => /^[A-Za-z]*Error\b|^Error:/.test(l));
  return (named ?? lines.slice(-3).join(" | ")).slice(0, 600);
}

/** The child's last progress line, for messages. */
function lastStep(run: ChildRun): string {
  const l = run.lines.filter((x) => x !== "").at(-1);
  return l === undefined ? "before its plan" : `after "${l}"`;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

// ---------------------------------------------------------------------------

const t = suite("crash trials");
const backends = await testBackends();
for (const [index, backend] of backends.entries()) {
  const local = backend.name === "local disk";
  const trials = (local ? LOCAL_TRIALS : S3_TRIALS) * campaignScale();
  t(`${backend.name}: ${trials} writers killed at seeded moments; after each the RAT opens, every row is old or new, the next writer is not stalled`, async () => {
    const random = seededRandom((seed + Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const failures: string[] = [];
    let finalRun = "not reached";
    const tally = newTally();
    let leftBefore = 0;
    const path = await backend.newPath("crash");
    const s3 = "s3" in backend.options ? { s3: backend.options.s3 } : {};

    const setup = await RatZarr.open(path, { ...backend.options, onWarning: () => undefined });
    await setup.setChunkSize(CHUNK);
    await setup.setRowCount(BASE_ROWS);
    for (const col of COLUMNS) await setup.createColumn(col.name, col.dtype, { width: col.width });
    await setup.close();
    const state: RatState = {
      rowCount: BASE_ROWS,
      gen: undefined,
      stamps: new Set(),
      columns: new Map(COLUMNS.map((c) => [c.name, { length: BASE_ROWS, gens: new Int32Array(BASE_ROWS), attrGen: undefined, log: [] }])),
    };

    // Trials 1..trials end in a kill; generation trials + 1 runs to the end.
    for (let g = 1; g <= trials + 1; g++) {
      const last = g === trials + 1;
      const rows = BASE_ROWS + g * GROW;
      const writeBehind = random() < 0.4 ? 3 : 0;
      const roll = random();
      const aim: KillPlan["aim"] = roll < 0.6 ? "any step" : roll < 0.8 ? "grow" : "attributes";
      // Grow and attribute steps are short: kill soon after they begin.
      const kill: KillPlan = { aim, at: random(), delayMs: random() * (aim === "any step" ? (local ? 8 : 60) : (local ? 2 : 15)) };
      const job: CrashJob = { path, g, rows, seed: Math.floor(random() * 2 ** 31) + 1, writeBehind, ...(last ? { growFirst: true } : {}), ...s3 };
      const where = `${backend.name}, campaign seed ${seed}, generation ${g}${writeBehind ? " (write-behind)" : ""}`;
      const before = failures.length;
      const fail = (m: string) => failures.push(`${where}: ${m}`);

      const run = await runChild(job, last ? undefined : kill, (aim, planned) => (aim === "grow" ? 1 : aim === "attributes" ? COLUMNS.length + 2 + state.stamps.size : planned));
      tally.childMs.push(run.ms);
      if (!last) {
        tally.trials++;
        if (writeBehind) tally.writeBehindTrials++;
        if (run.killed) {
          tally.kills++;
          const { at, inside } = landing(run, writeBehind > 0);
          if (inside.some((l) => AIMED.grow.test(l))) tally.killsInGrow++;
          if (inside.some((l) => AIMED.attributes.test(l))) tally.killsInAttributes++;
          if (at === "mid-write") tally.killsMidWrite++;
          else if (at === "between writes") tally.killsBetweenWrites++;
          else if (at === "before the plan") tally.killsBeforePlan++;
          else tally.killsAfterLastStep++;
        } else {
          tally.finishedBeforeKill++;
        }
      }
      if (!run.killed && run.code !== 0) fail(`the child failed by itself (exit ${run.code}) ${lastStep(run)}: ${errorOf(run.stderr)}`);
      else if (last && !run.lines.includes("done")) fail(`the last child (not killed) did not finish ${lastStep(run)}: ${errorOf(run.stderr)}`);
      let locks: { name: string; size: number }[] = [];
      if (local) {
        locks = lockFiles(path);
        tally.emptyLocks += locks.filter((l) => l.size === 0).length;
        const now = leftovers(path);
        tally.leftByKills += Math.max(0, now - leftBefore);
        leftBefore = now;
      }

      const read = await check(backend, path, state, g, rows, tally, fail);
      if (read === undefined) break;
      if (last) {
        // Nobody was killed: everything is exactly generation g.
        if (state.rowCount !== rows) fail(`after a full run ROWCOUNT is ${state.rowCount}, expected ${rows}`);
        for (const col of COLUMNS) {
          const st = state.columns.get(col.name)!;
          const stale = st.gens.findIndex((x) => x !== g);
          if (st.length !== rows || stale >= 0) fail(`after a full run column "${col.name}" has ${st.length} rows (expected ${rows}), row ${stale} holds generation ${stale >= 0 ? st.gens[stale] : "-"}, expected ${g}`);
          if (st.attrGen !== g) fail(`after a full run column "${col.name}" attribute crash_gen is ${show(st.attrGen)}, expected ${g}`);
        }
        if (state.gen !== g || state.stamps.size !== 1 || !state.stamps.has(g)) fail(`after a full run RAT crash_gen is ${show(state.gen)} and stamps ${show([...state.stamps])}, expected ${g} and [${g}]`);
      } else {
        try {
          const ms = await nextWriter(backend, path, state, read, g);
          tally.nextWriterMs.push(ms);
          const limit = local ? NEXT_WRITER_MS.local : NEXT_WRITER_MS.s3;
          if (ms > limit) {
            tally.stalledNextWriters++;
            const seen = locks.map((l) => `${l.name} (${l.size} bytes)`).join(", ");
            fail(`the next writer took ${Math.round(ms)} ms (more than ${limit} ms) after the kill ${lastStep(run)}${local ? `; lock files the kill left: ${seen || "none"}` : ""}`);
          }
        } catch (e) {
          fail(`the next writer failed: ${(e as Error).message}`);
        }
        if (local) leftBefore = leftovers(path);
      }
      if (last) finalRun = failures.length === before ? "exact" : "failed";
      else if (failures.length === before) tally.cleanTrials++;
      else tally.failedTrials++;
    }

    // Not asserted (the store's cleanup is being changed): what kills left, and what the store's sweep removes.
    const atEnd = local ? leftovers(path) : 0;
    const sweeper = backend.store(path) as { removeLeftovers?: (prefix: string) => Promise<string[]> };
    const swept = local && typeof sweeper.removeLeftovers === "function" ? (await sweeper.removeLeftovers("")).length : "-";
    const round = (x: number) => Math.round(x);
    campaignReport("crash", {
      backend: backend.name,
      seed,
      trials: tally.trials,
      kills: tally.kills,
      "kills mid-write": tally.killsMidWrite,
      "kills between writes": tally.killsBetweenWrites,
      "kills before the first step": tally.killsBeforePlan,
      "kills after the last step": tally.killsAfterLastStep,
      "kills inside the grow": tally.killsInGrow,
      "kills inside an attribute step": tally.killsInAttributes,
      "finished before the kill": tally.finishedBeforeKill,
      "write-behind trials": tally.writeBehindTrials,
      "checks finding a grow cut short": tally.partialGrows,
      "column rows checked": tally.rowsChecked,
      "rows old": tally.rowsOld,
      "rows new": tally.rowsNew,
      "rows never written (fill)": tally.rowsNeverWritten,
      "rows neither old nor new": tally.rowsOther,
      "clean trials": tally.cleanTrials,
      "trials with a failure": tally.failedTrials,
      "next writer median ms": round(median(tally.nextWriterMs)),
      "next writer max ms": round(Math.max(0, ...tally.nextWriterMs)),
      "next writers stalled": tally.stalledNextWriters,
      "child median ms": round(median(tally.childMs)),
      ...(local ? { "empty lock files left by kills": tally.emptyLocks, "tmp/lock files new after kills": tally.leftByKills, "tmp/lock files at the end": atEnd, "removed by removeLeftovers": swept } : {}),
      "final full run": finalRun,
    });
    assert.ok(failures.length === 0, `${failures.length} crash-trial failures:\n${failures.join("\n")}`);
  });
}
t.after(removeLocalPaths);
t.run();
