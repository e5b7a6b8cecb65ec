/**
 * How every command opens the RAT it was given: through `RatZarr.open` (so a
 * local path, `file://`, `s3://` and, read-only, `https://` all work), never
 * creating one, with the command's signal, warnings on standard error and a
 * modification log that records no argv (a command line may hold secrets).
 */
import { NodeError, RatZarr } from "../node/index.js";
import type { CommandContext } from "./command.js";

/**
 * Open the existing RAT at `path`; `readOnly` unless the command changes it. `columns`: the
 * column names to use on an `http(s)://` server that cannot list (elsewhere the listing says).
 */
export async function openRat(path: string, ctx: CommandContext, options: { readonly readOnly: boolean; readonly columns?: readonly string[] | undefined }): Promise<RatZarr> {
  const http = /^https?:\/\//i.test(path);
  return RatZarr.open(path, {
    readOnly: options.readOnly,
    create: false,
    ...(http && options.columns !== undefined ? { columns: options.columns } : {}),
    signal: ctx.signal,
    onWarning: (m) => ctx.err(`ratzarr: warning: ${m}\n`),
    provenance: { argv: ["ratzarr"] },
  }).catch((e: unknown) => {
    // The library's wording speaks of its options ("readOnly is true, but..."); say it as a user would.
    if (e instanceof NodeError && e.code === "missing") throw new NodeError(path, "no RAT here", { cause: e, code: "missing" });
    throw e;
  });
}
