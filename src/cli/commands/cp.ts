/**
 * `ratzarr cp SRC DST [--force]`: copy a RAT between local disk, `file://`,
 * `s3://` and (as the source only) `https://`, object by object with the
 * bytes unchanged (src/cli/copy.ts), then check the copy: `verifyRat` on the
 * destination and every object's size and SHA-256 against the source's.
 * The root `zarr.json` is written last, so an interrupted copy is not a RAT.
 */
import { parseArgs } from "node:util";
import { resolve as resolvePath, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command, CommandContext } from "../command.js";
import { type Copied, compareCopied, copyObjects, type CopyResult, digestOf, planCopy, recordingStore } from "../copy.js";
import { type Progress } from "../progress.js";
import { verifyRat } from "../verify.js";
import { isHttpUrl, type RatLocation, resolveLocation } from "../../rat/location.js";
import { isValidAt, RAT_GROUP } from "../../rat/layout.js";
import { nodePlatform } from "../../node/platform.js";
import { collectKeys, type StoreOptions } from "../../stores/store.js";
import { NodeError } from "../../errors.js";
import { toJsonLine } from "../json-output.js";
import { EXIT, positionals, UsageError } from "../usage-error.js";

const usage = "ratzarr cp SRC DST [--force] [--columns a,b] [--json]";
/** Objects in flight at once: enough to keep S3 busy, few enough to bound memory to a few chunks. */
const CONCURRENCY = 16;

/** A path or URL in a form where "the same place" and "inside" are string prefixes with "/". */
function canonical(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) && !/^file:/i.test(path)) return path.replace(/\/+$/, "");
  const local = /^file:/i.test(path) ? fileURLToPath(path) : resolvePath(path);
  return local.split(sep).join("/").replace(/\/+$/, "");
}

/** Refuse to copy a RAT onto itself, into itself, or over the folder that holds it. */
function checkDistinct(src: string, dst: string): void {
  const [a, b] = [canonical(src), canonical(dst)];
  if (a === b || b.startsWith(`${a}/`) || a.startsWith(`${b}/`)) throw new UsageError(`SRC "${src}" and DST "${dst}" are the same place or one is inside the other`);
}

/**
 * Make the destination empty: nothing there is fine; something there is refused without
 * `force`; with it, only a RAT or what an interrupted copy leaves (no root `zarr.json`, every
 * key under `RAT/`) is removed, as `rm` would; anything else is left untouched.
 */
async function clearDestination(dst: RatLocation, path: string, force: boolean, io: StoreOptions): Promise<void> {
  const keys = await collectKeys(dst.store.list("", io));
  if (keys.length === 0) return;
  if (!force) throw new NodeError(path, `already holds ${keys.length} objects; refusing to copy over them (--force removes a RAT there first)`, { code: "exists" });
  const leftover = !keys.includes("zarr.json") && keys.every((k) => k.startsWith(`${RAT_GROUP}/`));
  if (!leftover && !(await isValidAt(dst.store, io))) throw new NodeError(path, `holds ${keys.length} objects that are not a RAT (nor an interrupted copy of one); not removed`, { code: "not-a-rat" });
  await dst.removeAll(io);
}

/** A byte count for people: kB below a megabyte, else MB. */
const mb = (bytes: number): string => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseArgs({
    args: [...ctx.argv],
    options: { force: { type: "boolean", short: "f" }, columns: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [srcPath, dstPath] = positionals(given, 2, 2, usage) as [string, string];
  if (isHttpUrl(dstPath)) throw new UsageError(`DST "${dstPath}": an http(s):// URL is read-only; copy to a local path, file:// or s3://`);
  const columns = values.columns?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (columns?.length === 0) throw new UsageError("--columns needs at least one column name");
  checkDistinct(srcPath, dstPath);
  const io = { signal: ctx.signal };
  const src = await resolveLocation(srcPath, nodePlatform, { readOnly: true });
  let dst: RatLocation | undefined;
  try {
    dst = await resolveLocation(dstPath, nodePlatform, { readOnly: false });
    if (!(await src.exists(io))) throw new NodeError(srcPath, "nothing here to copy", { code: "missing" });
    if (!(await isValidAt(src.store, io))) throw new NodeError(srcPath, "not a RAT (zarr.json and RAT/zarr.json are needed); nothing copied", { code: "not-a-rat" });
    const plan = await planCopy(src.store, { ...io, columns });
    await clearDestination(dst, dstPath, values.force === true, io);
    return await copyAndCheck(ctx, src, dst, plan, srcPath, dstPath);
  } finally {
    src.close?.();
    dst?.close?.();
  }
}

async function copyAndCheck(ctx: CommandContext, src: RatLocation, dst: RatLocation, plan: Awaited<ReturnType<typeof planCopy>>, srcPath: string, dstPath: string): Promise<number> {
  const total = plan.phases.reduce((n, p) => n + p.length, 0);
  const result: CopyResult = { copied: new Map(), bytes: 0, done: 0 };
  const started = performance.now();
  const bar = ctx.progress({ label: "cp", total, unit: "objects" });
  try {
    await copyObjects(src.store, dst.store, plan, { signal: ctx.signal, concurrency: CONCURRENCY, onObject: (done, bytes) => bar.update(done, bytes) }, result);
  } catch (e) {
    if (!ctx.signal.aborted) throw e;
    // The root zarr.json is the last write: only when it got through is the copy whole.
    const state = result.copied.has("zarr.json") ? "is complete but not verified: ratzarr verify DST" : "has no root zarr.json, so it is not a RAT: run the copy again with --force";
    ctx.err(`ratzarr cp: interrupted after ${result.done} of ${total} objects; ${dstPath} ${state.replace("DST", dstPath)}\n`);
    return EXIT.interrupted;
  } finally {
    bar.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const objects = result.copied.size;
  const absent = total - objects;

  // Verify what the destination holds now; the objects the verifier reads are compared too, so each is read once.
  const seen = new Map<string, Copied>();
  let verifyBar: Progress | undefined;
  let problems: { kind: string; key: string; message: string }[];
  try {
    problems = await verifyRat(recordingStore(dst.store, (key, bytes) => seen.set(key, { size: bytes.byteLength, digest: digestOf(bytes) })), {
      signal: ctx.signal,
      onProgress: (p) => (verifyBar ??= ctx.progress({ label: "verify", total: p.chunksTotal, unit: "chunks" })).update(p.chunksDone, p.bytesRead),
    });
    verifyBar?.stop();
    problems = [...problems, ...(await compareCopied(dst.store, result.copied, seen, { signal: ctx.signal, concurrency: CONCURRENCY }))];
  } catch (e) {
    if (!ctx.signal.aborted) throw e;
    ctx.err(`ratzarr cp: interrupted while checking the copy; ${dstPath} is complete (all ${objects} objects written) but not verified: ratzarr verify ${dstPath}\n`);
    return EXIT.interrupted;
  } finally {
    verifyBar?.stop();
  }

  const checkSeconds = (performance.now() - started) / 1000 - seconds;
  const verified = problems.length === 0;
  if (ctx.json) {
    for (const p of problems) ctx.out(toJsonLine(p));
    ctx.out(toJsonLine({ objects, bytes: result.bytes, seconds: Math.round(seconds * 1000) / 1000, verified, skipped: plan.skipped.length }));
  } else {
    for (const p of problems) ctx.out(`${p.kind.toUpperCase()} ${p.key}: ${p.message}\n`);
    const rate = seconds > 0 ? `, ${mb(result.bytes / seconds)}/s` : "";
    ctx.out(`copied ${objects} objects (${mb(result.bytes)}) from ${srcPath} to ${dstPath} in ${seconds.toFixed(1)} s${rate}\n`);
    if (plan.probe) ctx.out(`the source cannot list: chunk keys tried from the chunk grids, ${absent} not stored (fill value)\n`);
    if (plan.skipped.length > 0) ctx.out(`left behind ${plan.skipped.length} source keys that are not part of the RAT (first: ${plan.skipped[0]!})\n`);
    ctx.out(verified ? `${dstPath}: verified in ${checkSeconds.toFixed(1)} s, no problems (every object's size and SHA-256 equal to the source's)\n` : `${dstPath}: ${problems.length} problem${problems.length === 1 ? "" : "s"} after the copy\n`);
  }
  return verified ? EXIT.ok : EXIT.failed;
}

/** `ratzarr cp`. */
export const cp: Command = {
  name: "cp",
  summary: "copy a RAT object by object, bytes unchanged (local, file://, s3://; https:// as source), then verify the copy",
  usage,
  example: `$ ratzarr cp landcover.zarr s3://my-bucket/rats/landcover.zarr
copied 29 objects (89.9 MB) from landcover.zarr to s3://my-bucket/rats/landcover.zarr in 0.6 s, 162.3 MB/s
s3://my-bucket/rats/landcover.zarr: verified in 1.1 s, no problems (every object's size and SHA-256 equal to the source's)

Chunks first, the root zarr.json last: an interrupted copy (Ctrl-C, a crash) is not a RAT
until copied again with --force. DST must be empty, or with --force hold a RAT (or an
interrupted copy), which is removed first. Lock, temporary and stray files are not copied.
--columns a,b: copy only these columns (needed for an https:// source that cannot list).
Exit status 1 when the check after the copy finds a problem (listed as verify lists them).
--json: problem lines, then {"objects","bytes","seconds" (of the copy, the check not counted),
  "verified","skipped" (source keys not part of the RAT)}`,
  run,
};
