/**
 * A codec registry whose `vlen-utf8` codec reports every chunk it decodes
 * (its key and how many strings it made), for tests that check when and how
 * much string decoding happens.
 */
import { standardCodecs, type CodecRegistry } from "../../src/codecs/registry.js";
import { createVlenUtf8Codec } from "../../src/codecs/vlen-utf8.js";
import type { ArrayToBytesCodec } from "../../src/codecs/codec.js";

/** The standard codecs, `vlen-utf8` calling `seen(key, strings made)` after each decode. */
export function watchedStringCodecs(seen: (key: string, made: number) => void): CodecRegistry {
  return standardCodecs().register("vlen-utf8", {
    kind: "array_to_bytes",
    create: (configuration, file) => {
      const inner = createVlenUtf8Codec(configuration, file);
      const watched: ArrayToBytesCodec = {
        ...inner,
        decode: (bytes, spec, ctx) => {
          const out = inner.decode(bytes, spec, ctx) as string[];
          seen(ctx.key, out.length);
          return out;
        },
      };
      return watched;
    },
  });
}
