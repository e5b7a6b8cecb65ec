/**
 * The runtime a RAT handle runs on, as a value: passed in through
 * `RatZarrOptions.runtime`, with a good default per entry point (the core's
 * `webRuntime`; on Node, `nodeRuntime()` from the Node entry). Importing a
 * module changes no shared state and reads no environment.
 */
import { type Platform, webPlatform } from "./platform.js";
import { CodecRegistry, standardCodecs } from "../codecs/registry.js";

/** What a handle needs from the runtime it runs on. */
export interface Runtime {
  /** Local paths, the user and command line for modification logs, warnings. */
  readonly platform: Platform;
  /** The codecs, and the libzstd the `zstd` codec uses. */
  readonly codecs: CodecRegistry;
}

/** The runtime of the core entry: no filesystem, no OS user, warnings on the console. */
export const webRuntime: Runtime = {
  platform: webPlatform,
  // A getter: the registry is made on first use, not on import.
  get codecs(): CodecRegistry {
    return standardCodecs();
  },
};
