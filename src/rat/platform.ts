/**
 * What the RAT layer needs from the runtime it runs on: local paths, the
 * user and command line for the modification log, and a way to warn. The
 * core ships the web platform (no local paths, no user, console warnings);
 * the Node entry's `RatZarr` uses the Node one. A platform reaches a handle
 * as part of its runtime (runtime.ts), never through shared state.
 */
import type { RatLocation } from "./location.js";

export interface Platform {
  readonly name: string;
  /** Open a local path (or `file://` URL) as a RAT location; absent where there is no filesystem. */
  openLocal?(path: string, options: { readonly readOnly: boolean }): Promise<RatLocation>;
  /** Open a URL of another scheme (`s3://`) as a RAT location; `options` are the caller's options for that scheme. */
  openUrl?(url: string, scheme: string, options: { readonly readOnly: boolean; readonly [key: string]: unknown }): Promise<RatLocation>;
  /** The user name recorded in modification logs. */
  user(): string;
  /** The command line recorded in modification logs. */
  argv(): string[];
  /** Show a warning to the person running the program. */
  warn(message: string): void;
}

/** The platform of runtimes without a filesystem or OS user (browsers, workers, and any runtime by default). */
export const webPlatform: Platform = {
  name: "web",
  user: () => "",
  argv: () => [],
  warn: (message) => console.warn(`RatZarrWarning: ${message}`),
};
