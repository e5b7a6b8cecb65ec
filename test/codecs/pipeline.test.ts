import { test } from "uvu";
import * as assert from "uvu/assert";
import type { CodecMetadata, JsonObject } from "../../src/codecs/codec.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { MetadataError } from "../../src/errors.js";
import { parseJson } from "../../src/format/json.js";

const spec = { shape: [4], dataType: "int32", fillValue: 0 } as const;
const bytes: CodecMetadata = { name: "bytes", configuration: { endian: "little" } };

/** Values a hostile zarr.json can hold: an object whose "toString" is data (String() throws on it), integers past int64 (bigint), lone surrogates, NaN. */
const HOSTILE = parseJson('[{"toString": 1}, {"valueOf": {}, "toString": []}, -9223372036854775809, [{"toString": 1}], "\\ud800", null, 1e300, -1, 0.5, NaN, [[[]]], ""]', "test") as JsonObject[keyof JsonObject][];

const CONFIG_KEYS: Record<string, readonly string[]> = {
  bytes: ["endian"],
  zstd: ["level", "checksum"],
  gzip: ["level"],
  blosc: ["cname", "clevel", "shuffle", "typesize", "blocksize"],
  transpose: ["order"],
  sharding_indexed: ["chunk_shape", "codecs", "index_codecs", "index_location"],
};

function chain(name: string, configuration: JsonObject): CodecMetadata[] {
  const codec = { name, configuration };
  if (name === "transpose") return [codec, bytes];
  if (name === "bytes" || name === "sharding_indexed") return [codec];
  return [bytes, codec];
}

test("every hostile value in every codec configuration key is a MetadataError naming the file, never a TypeError from the message", async () => {
  let refused = 0;
  for (const [name, keys] of Object.entries(CONFIG_KEYS)) {
    for (const key of keys) {
      for (const value of HOSTILE) {
        try {
          await CodecPipeline.create(chain(name, { [key]: value }), spec, "RAT/c/zarr.json");
        } catch (e) {
          if (!(e instanceof MetadataError)) throw new Error(`${name}.${key}: ${String(e)}`, { cause: e });
          assert.match(e.message, "RAT/c/zarr.json");
          refused++;
        }
      }
    }
  }
  assert.ok(refused > 100, `${refused} refused`);
});

test("a refused transpose order is shown as found", async () => {
  try {
    await CodecPipeline.create(chain("transpose", { order: HOSTILE[3]! }), spec, "f");
    assert.unreachable();
  } catch (e) {
    assert.instance(e, MetadataError);
    assert.match((e as Error).message, '"order" [{"toString": 1}] is not a permutation');
  }
});

test.run();
