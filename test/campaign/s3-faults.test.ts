/**
 * Campaign, S3 faults: a whole RAT workload (aligned and unaligned blocks,
 * strings, a column of width 3, a column of width 8 with 128 kB chunks,
 * column and RAT attributes, shrink and grow, a column deleted and made again) goes through the fault proxy
 * with every fault it has: latency spikes, bodies cut both ways, 500 and 503
 * bursts, resets during upload, connections dropped before and after the
 * server acts, 503 SlowDown, and a server restart. On moto the proxy plays
 * the restart (moto keeps its data in its own memory); on Ceph the radosgw
 * daemon itself is killed and started again (its data lives in the OSD).
 *
 * Every operation comes out exact, or fails with a RatZarrError that names
 * the key and the status or the number of tries. A failed write leaves each
 * of its rows with the old value or the new one; everything else must be
 * exactly what was acknowledged. After the run everything is read back on a
 * fault-free connection and compared with that model: silent losses must be 0.
 */
import { setMaxListeners } from "node:events";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { RatZarr } from "../../src/node/index.js";
import { RatZarrError } from "../../src/errors.js";
import type { S3Store } from "../../src/stores/s3.js";
import { clientConfig, s3Servers } from "../helpers/backends.js";
import { type FaultCounts, startFaultProxy } from "../helpers/fault-proxy.js";
import { restartRadosgw, s3Client } from "../helpers/s3-servers.js";
import { campaignReport, campaignScale, campaignSeed, seededRandom } from "../helpers/campaign.js";

const ROWS = 4000;
const CHUNK = 128;
/** The wide column's chunks: 2048 rows × 8 float64 = 128 kB, larger than a socket buffer, so uploads are cut and reset while under way. */
const BIG_CHUNK = 2048;
/** Faults per request. cutUpload and resetUpload apply only to requests with a body, cutResponse only to answers with one. */
const RATES = { slowDown: 0.015, burst500: 0.008, burst503: 0.008, dropBefore: 0.015, dropAfter: 0.02, latency: 0.008, cutUpload: 0.03, resetUpload: 0.03, cutResponse: 0.025 } as const;
/** What each fault is counted as, by the proxy. */
const COUNTED: (keyof FaultCounts)[] = ["slowDown", "status500", "status503", "dropBefore", "dropAfter", "latency", "cutUpload", "resetUpload", "cutResponse", "restarts"];
/** Retries that outlast most faults but not a restart (1-3 s down): requests caught by one fail, clearly. */
const RETRY = { maxAttempts: 8, baseDelayMs: 10, maxDelayMs: 500, maxTotalMs: 20_000 };

type Kind = "float64" | "string" | "int16";
interface ColumnSpec {
  readonly name: string;
  readonly dtype: Kind;
  readonly width: number;
  readonly chunk: number;
  /** The values written to row `r` by operation `op`. */
  readonly value: (op: number, r: number) => (number | string)[];
}

/** A 32-bit hash (for values that do not compress, so the wide column's uploads stay large). */
function mix(a: number): number {
  a = Math.imul(a ^ (a >>> 16), 0x7feb352d);
  a = Math.imul(a ^ (a >>> 15), 0x846ca68b);
  return (a ^ (a >>> 16)) >>> 0;
}

const COLUMNS: ColumnSpec[] = [
  { name: "f", dtype: "float64", width: 1, chunk: CHUNK, value: (op, r) => [op * 1e6 + r + 0.25] },
  { name: "s", dtype: "string", width: 1, chunk: CHUNK, value: (op, r) => [`op ${op} row ${r} ✓${"é".repeat(r % 5)}`] },
  { name: "w", dtype: "int16", width: 3, chunk: CHUNK, value: (op, r) => [(op * 31 + r) % 30000, -(r % 30000), op % 30000] },
  { name: "big", dtype: "float64", width: 8, chunk: BIG_CHUNK, value: (op, r) => Array.from({ length: 8 }, (_, j) => mix(op * 1_000_003 + r * 8 + j) / 4096) },
];

const FILL: Record<Kind, number | string> = { float64: 0, string: "", int16: 0 };
const rowText = (values: ArrayLike<number | string>) => JSON.stringify(Array.from(values));

function block(spec: ColumnSpec, op: number, start: number, n: number): Float64Array | Int16Array | string[] {
  const flat = Array.from({ length: n }, (_, i) => spec.value(op, start + i)).flat();
  if (spec.dtype === "string") return flat as string[];
  return spec.dtype === "float64" ? Float64Array.from(flat as number[]) : Int16Array.from(flat as number[]);
}

/** Each row's possible values (as text): one, or two or more after a write that failed. */
class ColumnModel {
  rows: string[][];
  constructor(readonly spec: ColumnSpec, count: number) {
    this.rows = Array.from({ length: count }, () => [this.fill()]);
  }
  fill(): string {
    return rowText(Array.from({ length: this.spec.width }, () => FILL[this.spec.dtype]));
  }
  write(op: number, start: number, n: number, acknowledged: boolean): void {
    for (let r = start; r < start + n; r++) {
      const text = rowText(this.spec.value(op, r));
      this.rows[r] = acknowledged ? [text] : [...new Set([...this.rows[r]!, text])];
    }
  }
  resize(count: number): void {
    // A shrink resets the cut-off rows, so rows that come back read as fill.
    this.rows = Array.from({ length: count }, (_, r) => this.rows[r] ?? [this.fill()]);
  }
  /** Rows of `values` (starting at row `start`) that hold nothing this model allows: "row: got, allowed". */
  mismatches(values: ArrayLike<number | string>, start: number): string[] {
    const out: string[] = [];
    const w = this.spec.width;
    for (let i = 0; i * w < values.length; i++) {
      const text = rowText(Array.prototype.slice.call(values, i * w, (i + 1) * w) as (number | string)[]);
      const allowed = this.rows[start + i];
      if (allowed === undefined || !allowed.includes(text)) out.push(`row ${start + i}: got ${text}, allowed ${JSON.stringify(allowed)}`);
    }
    return out;
  }
}

/** A failure that says which key failed and why: the key in quotes, and an HTTP status or a number of tries. */
function isClear(e: unknown): boolean {
  if (!(e instanceof RatZarrError)) return false;
  return /"[^"]*(s3:\/\/|RAT)[^"]*"/.test(e.message) && /HTTP \d{3}|after \d+ attempts/.test(e.message);
}

const t = suite("campaign: S3 faults");

for (const server of s3Servers()) {
  t(`${server.name}: a whole RAT workload through every fault comes out exact or fails clearly, and nothing acknowledged is lost`, async () => {
    const scale = campaignScale();
    const seed = campaignSeed(`s3-faults-${server.name}`);
    const rnd = seededRandom(seed);
    const started = Date.now();
    // Every request of the run is bounded by this (the proxy's latency and restarts included).
    const deadline = AbortSignal.timeout(150_000 * scale);
    // One listener per request in flight (the SDK's): more than Node's default warning level of 10.
    setMaxListeners(200, deadline);
    const bucket = `ratzarr-campaign-faults-${Date.now().toString(36)}`;
    const admin = s3Client(server);
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    admin.destroy();

    const realRestart = server.name === "ceph";
    const downRandom = seededRandom(seed ^ 0x5bd1e995);
    const proxy = await startFaultProxy(server.endpoint, {
      seed,
      ...RATES,
      // Two restarts, some way into the run (the first requests create the RAT).
      restartAt: [150 + Math.floor(rnd() * 150), 500 + Math.floor(rnd() * 200)],
      ...(realRestart ? { restartServer: () => restartRadosgw(server.endpoint, 1000 + Math.floor(downRandom() * 2000)) } : {}),
    });
    const figures = { operations: 0, succeeded: 0, failedClearly: 0, unclear: 0, wrongReads: 0 };
    const problems: string[] = [];
    const clearExamples: string[] = [];
    const handles: RatZarr[] = [];

    /** Run one operation: true when it succeeded, false when it failed clearly; anything else is a problem. */
    const run = async (what: string, op: () => Promise<void>): Promise<boolean> => {
      figures.operations++;
      try {
        await op();
        figures.succeeded++;
        return true;
      } catch (e) {
        if (isClear(e)) {
          figures.failedClearly++;
          if (clearExamples.length < 3) clearExamples.push(`${what}: ${(e as Error).message}`);
        } else {
          figures.unclear++;
          problems.push(`${what} failed unclearly: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
        return false;
      }
    };
    /** Operations whose half-done state the model does not follow (structure, attributes): tried until they succeed. */
    const until = async (what: string, op: () => Promise<void>) => {
      for (let i = 0; i < 8; i++) {
        if (await run(what, op)) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
      throw new Error(`${what}: failed 8 times in a row`);
    };

    try {
      const path = `s3://${bucket}/rat.zarr`;
      const s3 = { clientConfig: { ...clientConfig(server), endpoint: proxy.endpoint, requestHandler: { connectionTimeout: 2000, socketTimeout: 5000 } }, retry: RETRY };
      let rz!: RatZarr;
      await until("open (create)", async () => {
        rz = await RatZarr.open(path, { s3, onWarning: () => undefined, concurrency: 8, signal: deadline });
      });
      handles.push(rz);
      let rows = ROWS;
      const models = new Map(COLUMNS.map((c) => [c.name, new ColumnModel(c, rows)]));
      const ratAttrs: Record<string, number | string> = {};
      const colAttrs = new Map(COLUMNS.map((c) => [c.name, {} as Record<string, number | string>]));
      await until("setRowCount", () => rz.setRowCount(rows));
      for (const c of COLUMNS) {
        if (rz.getRATChunkSize() !== c.chunk) await until("setChunkSize", () => rz.setChunkSize(c.chunk));
        await until(`createColumn ${c.name}`, async () => {
          // A create whose answer was lost may have landed: then the column is there.
          if (!(await rz.colExists(c.name))) await rz.createColumn(c.name, c.dtype, { width: c.width });
        });
      }

      // One generator and one operation counter per column, so that a seed replays the same
      // operations whatever order the columns' requests finish in.
      const columnRandom = COLUMNS.map((_, i) => seededRandom(mix(seed + i + 1)));
      const columnOps = COLUMNS.map(() => 0);
      let op = 0;
      let recreated = 0;
      const columnOp = async (spec: ColumnSpec, index: number) => {
        const model = models.get(spec.name)!;
        const rnd = columnRandom[index]!;
        const id = ++columnOps[index]! * COLUMNS.length + index;
        const roll = rnd();
        if (roll < 0.75) {
          // Aligned blocks of whole chunks, or unaligned ones of any length.
          const aligned = roll < 0.3;
          const start = aligned ? spec.chunk * Math.floor(rnd() * Math.ceil(rows / spec.chunk)) : Math.floor(rnd() * rows);
          const n = Math.min(rows - start, aligned ? spec.chunk * (1 + Math.floor(rnd() * 2)) : 1 + Math.floor(rnd() * spec.chunk * 2.5));
          if (n <= 0) return;
          const ok = await run(`writeBlock ${spec.name} ${start}+${n}`, () => rz.writeBlock(spec.name, block(spec, id, start, n), start));
          model.write(id, start, n, ok);
        } else if (roll < 0.85) {
          const key = `k${Math.floor(rnd() * 4)}`;
          await until(`column ${spec.name} attribute ${key}`, async () => (await rz.getColumnAttributeMapping(spec.name)).set(key, id));
          colAttrs.get(spec.name)![key] = id;
        } else {
          // Reads through the faults: exact (within what failed writes allow), or a clear failure.
          const start = Math.floor(rnd() * rows);
          const n = Math.min(rows - start, 1 + Math.floor(rnd() * spec.chunk * 3));
          await run(`readBlock ${spec.name} ${start}+${n}`, async () => {
            const got = await rz.readBlock(spec.name, start, n);
            const bad = model.mismatches(got as ArrayLike<number | string>, start);
            if (bad.length > 0) {
              figures.wrongReads++;
              problems.push(`readBlock ${spec.name} ${start}+${n} through the faults read wrong values: ${bad.slice(0, 3).join("; ")}`);
            }
          });
        }
      };

      const phases = 6 * scale;
      const missing = () => COUNTED.filter((k) => proxy.counts[k] === 0);
      // More phases while some fault has not happened yet (bounded).
      for (let phase = 0; phase < phases || (missing().length > 0 && phase < phases + 10); phase++) {
        await Promise.all(COLUMNS.map(async (c, i) => {
          for (let k = 0; k < 4; k++) await columnOp(c, i);
        }));
        if (phase % 3 === 0) {
          const to = rows === ROWS ? Math.floor(ROWS * (0.4 + rnd() * 0.55)) : ROWS;
          await until(`setRowCount ${to}`, () => rz.setRowCount(to));
          rows = to;
          for (const m of models.values()) m.resize(rows);
        } else if (phase % 3 === 1) {
          const key = `r${Math.floor(rnd() * 4)}`;
          const id = ++op;
          await until(`RAT attribute ${key}`, async () => (await rz.getRatAttributeMapping()).set(key, id));
          ratAttrs[key] = id;
        } else {
          // Delete a column (a listing and a batch delete) and create it again: it reads as fill.
          const spec = COLUMNS[Math.floor(rnd() * COLUMNS.length)]!;
          await until(`deleteColumn ${spec.name}`, async () => {
            if (await rz.colExists(spec.name)) await rz.deleteColumn(spec.name);
          });
          await until(`setChunkSize ${spec.chunk}`, () => rz.setChunkSize(spec.chunk));
          await until(`createColumn ${spec.name} again`, async () => {
            if (!(await rz.colExists(spec.name))) await rz.createColumn(spec.name, spec.dtype, { width: spec.width });
          });
          models.set(spec.name, new ColumnModel(spec, rows));
          colAttrs.set(spec.name, {});
          recreated++;
        }
      }
      await run("close", () => rz.close());
      const injected = { ...proxy.counts };
      proxy.calm();

      // Everything back on a fault-free connection, against the model.
      let silentLosses = 0;
      const direct = await RatZarr.open(path, { s3: { clientConfig: clientConfig(server) }, readOnly: true });
      handles.push(direct);
      if (direct.getRowCount() !== rows) {
        silentLosses++;
        problems.push(`row count ${direct.getRowCount()}, acknowledged ${rows}`);
      }
      assert.equal(await direct.getColumnNames(), COLUMNS.map((c) => c.name).sort());
      let uncertainRows = 0;
      for (const c of COLUMNS) {
        const model = models.get(c.name)!;
        uncertainRows += model.rows.filter((r) => r.length > 1).length;
        const bad = model.mismatches((await direct.readBlock(c.name, 0, rows)) as ArrayLike<number | string>, 0);
        silentLosses += bad.length;
        if (bad.length > 0) problems.push(`column ${c.name}: ${bad.length} rows differ from what was acknowledged: ${bad.slice(0, 3).join("; ")}`);
        const attrs = (await direct.getColumnAttributeMapping(c.name)).toJSON();
        const { MODIFICATIONLOG: log, ...rest } = attrs;
        if (JSON.stringify(rest, Object.keys(rest).sort()) !== JSON.stringify(colAttrs.get(c.name), Object.keys(colAttrs.get(c.name)!).sort())) {
          silentLosses++;
          problems.push(`column ${c.name} attributes ${JSON.stringify(rest)}, acknowledged ${JSON.stringify(colAttrs.get(c.name))}`);
        }
        assert.ok(Array.isArray(log), `column ${c.name}: no modification log`);
      }
      const { ROWCOUNT, CHUNKSIZE, ...rest } = (await direct.getRatAttributeMapping()).toJSON();
      if (ROWCOUNT !== rows || JSON.stringify(rest, Object.keys(rest).sort()) !== JSON.stringify(ratAttrs, Object.keys(ratAttrs).sort())) {
        silentLosses++;
        problems.push(`RAT attributes ${JSON.stringify({ ROWCOUNT, ...rest })}, acknowledged ${JSON.stringify({ ROWCOUNT: rows, ...ratAttrs })}`);
      }

      campaignReport("s3-faults", {
        server: server.name,
        restart: realRestart ? "radosgw killed and started again" : "played by the proxy",
        requests: injected.requests,
        ...Object.fromEntries(COUNTED.map((k) => [k, injected[k]])),
        bursts500: injected.bursts500,
        bursts503: injected.bursts503,
        columnsRecreated: recreated,
        operations: figures.operations,
        succeeded: figures.succeeded,
        failedClearly: figures.failedClearly,
        uncertainRows,
        unclearErrors: figures.unclear,
        wrongReads: figures.wrongReads,
        silentLosses,
        seconds: ((Date.now() - started) / 1000).toFixed(1),
      });
      for (const ex of clearExamples) console.log(`  e.g. ${ex}`);
      assert.equal(proxy.failures, [], "the proxy's restarts failed");
      assert.equal(problems, [], problems.slice(0, 10).join("\n"));
      assert.equal(missing(), [], `faults never injected: ${missing().join(", ")}`);
      assert.is(silentLosses, 0);
    } finally {
      for (const h of handles) {
        await h.close().catch(() => undefined);
        (h.store as S3Store).client?.destroy();
      }
      await proxy.close();
    }
  });
}

t.run();
