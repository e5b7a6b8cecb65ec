/**
 * Campaign, load: 32 readers and 8 writers on one RAT for a bounded time, on
 * local disk and on each S3 server of the run. Four writers are async tasks
 * of this process, each with its own handle, and four are child processes
 * (test/campaign/load-writer.ts), so the cross-process locks (local disk)
 * and conditional writes (S3) do the work; three of the eight use
 * write-behind. On Ceph the writers turn on the S3 store's `conditionalSets`
 * (radosgw 16.2 lets a conditional write undo a plain one). Writers write whole blocks, aligned or not, of
 * generation-tagged values: a row's value says which writer wrote it, in
 * which generation, for which row. Every write is announced before it is
 * made and reported when done, so the test knows every value that may be
 * read and the order in which writes finished.
 *
 * Readers read random blocks, some through fresh handles, and check every
 * value: a value some write announced for exactly that row and column, or the
 * fill value; never torn, never misplaced. Readers without a chunk cache also
 * check freshness: no value older than a write that finished before the read
 * began. At the end, with every write acknowledged, each row holds the value
 * of a last write (no write to that row began after it finished), and each
 * column's modification log has one entry per writer that wrote it.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { RatZarr } from "../../src/node/index.js";
import { testBackends, removeLocalPaths } from "../helpers/backends.js";
import { campaignReport, campaignScale, campaignSeed, seededRandom } from "../helpers/campaign.js";
import { type Intent, LOAD_COLUMNS, type LoadColumn, runWriter, untag, type WriterJob } from "./load-writer.js";

const READERS = 32;
const WRITERS = 8;
/** Writers that are child processes (the others are tasks of this process). */
const PROCESS_WRITERS = 4;
/** Writers with write-behind (each block flushed before it counts as done). */
const WRITE_BEHIND = new Set([1, 5, 7]);
const ROWS = 2048;
const CHUNK = 64;
const SECONDS = 8;
const writerScript = join(import.meta.dirname, "load-writer.ts");

interface Write extends Intent {
  readonly w: number;
  readonly begin: number;
  /** The tick at which it was reported done; Infinity until then. */
  done: number;
}

/**
 * Every write announced, on one clock of ticks, and for each row the latest `begin` of a
 * write to it that is done: a read that starts later must not see a value older than that.
 */
class Ledger {
  private tick = 0;
  readonly writes = new Map<string, Write>();
  private readonly latestDone = new Map<LoadColumn, Float64Array>(LOAD_COLUMNS.map((c) => [c.name, new Float64Array(ROWS)]));
  /** The write whose begin is in `latestDone`, per row (for messages). */
  private readonly latestWrite = new Map<LoadColumn, (Write | undefined)[]>(LOAD_COLUMNS.map((c) => [c.name, new Array<Write | undefined>(ROWS)]));
  /** The tick now (a read that starts now is later than every event so far). */
  now(): number {
    return ++this.tick;
  }
  /** Which writers finished a write to each column (their log entries). */
  readonly wroteColumn = new Map<LoadColumn, Set<number>>(LOAD_COLUMNS.map((c) => [c.name, new Set()]));

  begin(w: number, intent: Intent): void {
    this.writes.set(`${w}:${intent.g}`, { ...intent, w, begin: ++this.tick, done: Infinity });
  }

  done(w: number, g: number): void {
    const x = this.writes.get(`${w}:${g}`);
    if (x === undefined) throw new Error(`writer ${w} reported generation ${g} done, which it never announced`);
    x.done = ++this.tick;
    const latest = this.latestDone.get(x.column)!;
    const who = this.latestWrite.get(x.column)!;
    for (let r = x.start; r < x.start + x.n; r++) {
      if (x.begin > latest[r]!) {
        latest[r] = x.begin;
        who[r] = x;
      }
    }
    this.wroteColumn.get(x.column)!.add(w);
  }

  /** For rows [start, start + n): the latest begin of a finished write, as of now. */
  snapshot(column: LoadColumn, start: number, n: number): Float64Array {
    return this.latestDone.get(column)!.slice(start, start + n);
  }

  /** Problems with `values` read from rows [start, ...): "row: what is wrong". `fresh`: a snapshot taken before the read. */
  check(column: LoadColumn, width: number, values: ArrayLike<number | string>, start: number, fresh: Float64Array | undefined, at?: number): { checked: number; illegal: string[]; stale: string[] } {
    const illegal: string[] = [];
    const stale: string[] = [];
    const rows = values.length / width;
    for (let i = 0; i < rows; i++) {
      const row = start + i;
      const got = Array.prototype.slice.call(values, i * width, (i + 1) * width) as (number | string)[];
      const who = untag(column, got);
      let doneAt = 0;
      if (who === undefined) {
        illegal.push(`column ${column} row ${row}: ${JSON.stringify(got)} is no value anybody writes (torn?)`);
        continue;
      }
      if (who !== "fill") {
        const x = this.writes.get(`${who.w}:${who.g}`);
        if (x === undefined || x.column !== column || who.r !== row || row < x.start || row >= x.start + x.n) {
          illegal.push(`column ${column} row ${row}: ${JSON.stringify(got)} (writer ${who.w}, generation ${who.g}, meant for row ${who.r}) was never written there${x === undefined ? "" : `: that write was column ${x.column} rows ${x.start}+${x.n}`}`);
          continue;
        }
        doneAt = x.done;
      }
      if (fresh !== undefined && fresh[i]! > doneAt) {
        const y = this.latestWrite.get(column)![row];
        const x = who === "fill" ? undefined : this.writes.get(`${who.w}:${who.g}`);
        stale.push(`column ${column} row ${row}: ${JSON.stringify(got)} is older than a write that finished before the read began (read ${describeWrite(x)}; newer ${describeWrite(y)}${at === undefined ? "" : `; read began at ${at}`})`);
      }
    }
    return { checked: values.length, illegal, stale };
  }
}

function openReader(path: string, options: object, cached: boolean): Promise<RatZarr> {
  // Without a cache or read-ahead, every read goes to the store: fresh values can be demanded.
  return RatZarr.open(path, { ...options, readOnly: true, ...(cached ? {} : { cacheBytes: 0, readAhead: 0 }) });
}

/** Send to a writer process; one that has just gone (it said goodbye meanwhile) is no error. */
function tell(child: ChildProcess, message: object): void {
  if (child.connected) child.send(message, () => undefined);
}

async function closeReader(h: RatZarr): Promise<void> {
  await h.close();
  // The S3 client the handle made for itself (RatZarr.close leaves it open).
  (h.store as { client?: { destroy(): void } }).client?.destroy();
}

function describeWrite(x: Write | undefined): string {
  if (x === undefined) return "fill";
  return `writer ${x.w} generation ${x.g} rows ${x.start}+${x.n}${x.start % CHUNK === 0 && (x.n % CHUNK === 0 || x.start + x.n === ROWS) ? " aligned" : ""}${WRITE_BEHIND.has(x.w) ? " write-behind" : ""}${x.w >= WRITERS - PROCESS_WRITERS ? " (process)" : ""}, ticks ${x.begin}-${x.done}`;
}

const t = suite("campaign: load");
const backends = await testBackends();

for (const backend of backends) {
  t(`${backend.name}: 32 readers, 8 writers (4 of them processes): every value read was written there, none torn or stale, and the last writes stay`, async () => {
    const scale = campaignScale();
    const seed = campaignSeed(`load-${backend.name}`);
    const path = await backend.newPath("load");
    // Ceph radosgw needs conditionalSets (see S3StoreOptions): without it a read-modify-write
    // there can undo another writer's whole-chunk write, which this test catches as stale values.
    const s3 = backend.options.s3 === undefined ? undefined : { ...backend.options.s3, ...(backend.name === "ceph" ? { conditionalSets: true } : {}) };
    const setup = await RatZarr.open(path, { ...backend.options, onWarning: () => undefined });
    await setup.setChunkSize(CHUNK);
    await setup.setRowCount(ROWS);
    for (const c of LOAD_COLUMNS) await setup.createColumn(c.name, c.dtype, { width: c.width });
    await closeReader(setup);

    const ledger = new Ledger();
    const errors: string[] = [];
    const figures = { reads: 0, freshHandles: 0, writes: 0, processWrites: 0, valuesChecked: 0, freshnessChecked: 0, illegalValues: 0, staleValues: 0 };
    const problems: string[] = [];
    let stopping = false;
    const children: ChildProcess[] = [];
    /** Each reader's handle of the moment, and the final one. */
    const readers: (RatZarr | undefined)[] = [];
    let timer: NodeJS.Timeout | undefined;
    const durationMs = SECONDS * 1000 * scale;
    const job = (id: number): WriterJob => ({ path, id, seed: seed + id, rows: ROWS, chunk: CHUNK, writeBehind: WRITE_BEHIND.has(id), maxMs: durationMs + 60_000, ...(s3 === undefined ? {} : { s3: s3 as Record<string, unknown> }) });

    try {
      // Child writers first: they take a second or two to start; the clock starts when all are ready.
      const childDone: Promise<void>[] = [];
      const childReady: Promise<void>[] = [];
      for (let id = WRITERS - PROCESS_WRITERS; id < WRITERS; id++) {
        const child = spawn(process.execPath, ["--import", "tsx", writerScript, JSON.stringify(job(id))], { stdio: ["ignore", "ignore", "pipe", "ipc"], env: process.env });
        children.push(child);
        child.on("error", (e) => errors.push(`writer ${id} (process ${child.pid}): ${e.message}`));
        let stderr = "";
        child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
        let ready!: () => void;
        childReady.push(new Promise<void>((resolve) => (ready = resolve)));
        let said = false;
        child.on("message", (m: { t: string; g: number; column: LoadColumn; start: number; n: number; writes: number; message: string }) => {
          if (m.t === "ready") ready();
          else if (m.t === "begin") {
            ledger.begin(id, m);
            tell(child, { t: "go", g: m.g });
          } else if (m.t === "done") {
            try {
              ledger.done(id, m.g);
              figures.writes++;
              figures.processWrites++;
            } catch (e) {
              errors.push((e as Error).message);
            }
          } else if (m.t === "bye") said = true;
          else if (m.t === "error") errors.push(`writer ${id} (process ${child.pid}): ${m.message}`);
        });
        // "close", not "exit": by then the IPC channel is drained, so a last message is not missed.
        childDone.push(new Promise<void>((resolve) => child.on("close", (code, signal) => {
          ready();
          if (!said && !errors.some((e) => e.startsWith(`writer ${id} `))) errors.push(`writer ${id} (process ${child.pid}) exited with ${code ?? signal} without saying goodbye: ${stderr.trim().split("\n").slice(-5).join(" | ")}`);
          resolve();
        })));
      }
      await Promise.race([Promise.all(childReady), new Promise((resolve) => setTimeout(resolve, 60_000).unref())]);
      const started = Date.now();
      const stopAt = started + durationMs;
      timer = setTimeout(() => {
        stopping = true;
        for (const c of children) tell(c, { t: "stop" });
      }, durationMs);

      const localWriters = Array.from({ length: WRITERS - PROCESS_WRITERS }, (_, id) =>
        runWriter(job(id), {
          ready: () => undefined,
          begin: async (intent) => ledger.begin(id, intent),
          done: (g) => {
            ledger.done(id, g);
            figures.writes++;
          },
          stopping: () => stopping || Date.now() >= stopAt,
        }).catch((e: unknown) => {
          errors.push(`writer ${id} (in this process): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }),
      );

      const readerTasks = Array.from({ length: READERS }, async (_, i) => {
        const rnd = seededRandom(seed + 1000 + i);
        // A quarter keep a chunk cache (they may see what they cached: values are checked, freshness not).
        const cached = i % 4 === 0;
        let h = await openReader(path, backend.options, cached);
        readers[i] = h;
        try {
          for (let k = 0; !stopping && Date.now() < stopAt && k < 1_000_000; k++) {
            if (rnd() < 0.1) {
              await closeReader(h);
              h = await openReader(path, backend.options, cached);
              readers[i] = h;
              figures.freshHandles++;
            }
            const c = LOAD_COLUMNS[Math.floor(rnd() * LOAD_COLUMNS.length)]!;
            const start = Math.floor(rnd() * ROWS);
            const n = Math.min(ROWS - start, 1 + Math.floor(rnd() * CHUNK * 3));
            const fresh = cached ? undefined : ledger.snapshot(c.name, start, n);
            const at = ledger.now();
            const got = (await h.readBlock(c.name, start, n)) as ArrayLike<number | string>;
            figures.reads++;
            const r = ledger.check(c.name, c.width, got, start, fresh, at);
            figures.valuesChecked += r.checked;
            if (fresh !== undefined) figures.freshnessChecked += r.checked;
            figures.illegalValues += r.illegal.length;
            figures.staleValues += r.stale.length;
            problems.push(...r.illegal.slice(0, 2), ...r.stale.slice(0, 2));
          }
        } catch (e) {
          errors.push(`reader ${i}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        } finally {
          await closeReader(h).catch(() => undefined);
        }
      });

      await Promise.all([...localWriters, ...readerTasks]);
      stopping = true;
      clearTimeout(timer);
      for (const c of children) tell(c, { t: "stop" });
      const allExited = await Promise.race([Promise.all(childDone).then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 60_000).unref())]);
      if (!allExited) errors.push("writer processes did not stop within 60 s of being told to");
      const seconds = (Date.now() - started) / 1000;

      // The end: every write acknowledged, and each row holds a last write.
      const pending = [...ledger.writes.values()].filter((x) => x.done === Infinity);
      const final = await openReader(path, backend.options, false);
      readers[READERS] = final;
      let lostAtEnd = 0;
      for (const c of LOAD_COLUMNS) {
        const got = (await final.readBlock(c.name, 0, ROWS)) as ArrayLike<number | string>;
        const r = ledger.check(c.name, c.width, got, 0, ledger.snapshot(c.name, 0, ROWS));
        lostAtEnd += r.illegal.length + r.stale.length;
        problems.push(...r.illegal.slice(0, 3), ...r.stale.slice(0, 3).map((s) => `at the end: ${s}`));
        const log = (await final.getModificationLog(c.name)).map((e) => e[1]).sort();
        const expected = [...ledger.wroteColumn.get(c.name)!].sort((a, b) => a - b).map((w) => `load-writer-${w}`).sort();
        if (JSON.stringify(log) !== JSON.stringify(expected)) {
          lostAtEnd++;
          problems.push(`column ${c.name}: modification log has ${JSON.stringify(log)}, the writers were ${JSON.stringify(expected)}`);
        }
      }
      await closeReader(final);

      campaignReport("load", {
        backend: backend.name,
        seconds: seconds.toFixed(1),
        readers: READERS,
        writers: WRITERS,
        writerProcesses: PROCESS_WRITERS,
        reads: figures.reads,
        freshHandles: figures.freshHandles,
        writes: figures.writes,
        writesByProcesses: figures.processWrites,
        writesPerSecond: (figures.writes / seconds).toFixed(0),
        valuesChecked: figures.valuesChecked,
        freshnessChecked: figures.freshnessChecked,
        errors: errors.length,
        illegalValues: figures.illegalValues,
        staleValues: figures.staleValues,
        unacknowledgedWrites: pending.length,
        lostAtEnd,
      });
      for (const e of [...errors, ...problems].slice(0, 5)) console.log(`  ${e}`);
      assert.equal(errors, [], errors.slice(0, 5).join("\n"));
      assert.equal(problems, [], problems.slice(0, 10).join("\n"));
      assert.is(pending.length, 0, `${pending.length} writes never reported done`);
      assert.ok(figures.writes > 0 && figures.reads > 0, "nothing was written or read");
      // Each writer process wrote something: the processes really ran alongside.
      for (let id = WRITERS - PROCESS_WRITERS; id < WRITERS; id++) assert.ok([...ledger.writes.values()].some((x) => x.w === id && x.done !== Infinity), `writer process ${id} wrote nothing`);
    } finally {
      stopping = true;
      clearTimeout(timer);
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      for (const h of readers) if (h !== undefined) await closeReader(h).catch(() => undefined);
    }
  });
}

t.after(() => removeLocalPaths());
t.run();
