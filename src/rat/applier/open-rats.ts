/**
 * The RATs of one applier run: handles the caller gave are used as they are
 * (flushed at the end, never closed); paths are opened through
 * `RatZarr.open` with the caller's options, once per path (a path that is
 * both input and output is opened writable once, as RIOS shares it), and
 * closed at the end.
 */
import { RatZarrError, showValue } from "../../errors.js";
import { RatZarr, type RatZarrOptions } from "../rat-zarr.js";

/** A RAT as the applier takes it: an open handle, or a path or URL that `RatZarr.open` takes. */
export type RatSource = RatZarr | string;

/** The handles of one run. */
export interface OpenRats {
  readonly inputs: ReadonlyMap<string, RatZarr>;
  readonly outputs: ReadonlyMap<string, RatZarr>;
  /** Wait for every write of the output handles (write-behind) and close the handles opened here; throws the first failure after trying all. */
  finish(): Promise<void>;
}

function entries(what: "inputs" | "outputs", given: unknown): [string, RatSource][] {
  if (given === undefined) return [];
  if (typeof given !== "object" || given === null || Array.isArray(given)) throw new RatZarrError(`${what} must be an object of RATs by name ({ seg: "seg.zarr" }), got ${showValue(given)}`);
  const out = Object.entries(given as Record<string, unknown>);
  for (const [name, src] of out) {
    if (typeof src !== "string" && !(src instanceof RatZarr)) throw new RatZarrError(`${what}.${name} must be a RatZarr handle or a path, got ${showValue(src)}`);
  }
  return out as [string, RatSource][];
}

/** Open `path` writable, creating it (several jobs may create one RAT at once: RatZarr.open allows it). */
async function openWritable(path: string, options: RatZarrOptions): Promise<RatZarr> {
  return RatZarr.open(path, { ...options, readOnly: false });
}

/** Open the RATs of `inputs` and `outputs` (`options` for paths: readOnly is set here, per use). */
export async function openRats(inputs: unknown, outputs: unknown, options: RatZarrOptions): Promise<OpenRats> {
  const ins = entries("inputs", inputs);
  const outs = entries("outputs", outputs);
  const writable = new Set(outs.map(([, s]) => s).filter((s): s is string => typeof s === "string"));
  const opened = new Map<string, RatZarr>();
  const close = async () => {
    const results = await Promise.allSettled([...opened.values()].map((rz) => rz.close()));
    const failed = results.find((r) => r.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  };
  const resolve = async (src: RatSource): Promise<RatZarr> => {
    if (typeof src !== "string") return src;
    let rz = opened.get(src);
    if (rz === undefined) {
      // Outputs first (as RIOS): a path used both ways is opened writable.
      rz = writable.has(src) ? await openWritable(src, options) : await RatZarr.open(src, { ...options, readOnly: true, create: false });
      opened.set(src, rz);
    }
    return rz;
  };
  try {
    const outputMap = new Map<string, RatZarr>();
    for (const [name, src] of outs) outputMap.set(name, await resolve(src));
    const inputMap = new Map<string, RatZarr>();
    for (const [name, src] of ins) inputMap.set(name, await resolve(src));
    const given = [...new Set([...outputMap.values()].filter((rz) => ![...opened.values()].includes(rz)))];
    return {
      inputs: inputMap,
      outputs: outputMap,
      finish: async () => {
        const flushed = await Promise.allSettled(given.map((rz) => rz.flush()));
        await close();
        const failed = flushed.find((r) => r.status === "rejected");
        if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
      },
    };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}
