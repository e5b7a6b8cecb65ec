/**
 * Arrays users make with zarr-python directly, outside ratzarr (FORMAT.md,
 * "Reading what others wrote"), generated live: zarr-python writes them and
 * ratzarr reads them; ratzarr writes the same codec chains and zarr-python
 * reads them. (Committed fixtures of the same kinds: spec-tests/fixtures.)
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { FileSystemStore, ZarrArray, type DataType, type CodecMetadata, type ChunkKeyEncoding } from "../../src/node/index.js";
import type { JsonObject, JsonValue } from "../../src/codecs/codec.js";
import { pythonSession, zarrPythons } from "../harness/python.js";
import { fromJsonValues, sampleColumn, toJsonValues } from "../harness/values.js";
import { assertSameValues } from "../../test/helpers/values.js";

for (const z of zarrPythons()) {
  const t = suite(`conformance: arrays users make with zarr-python [zarr-python ${z.version}]`);
  const session = pythonSession(t, "user", z);

  interface Case {
    name: string;
    dtype: DataType;
    shape: number[];
    chunks: number[];
    /** the spec the Python helper turns into create_array arguments */
    py: JsonObject;
    /** the same array described for ZarrArray.create */
    ts: { codecs: CodecMetadata[]; fillValue?: number | bigint | string | boolean; chunkKeyEncoding?: ChunkKeyEncoding; shards?: number[] };
  }
  const LE = { name: "bytes", configuration: { endian: "little" } };
  const cases: Case[] = [
    { name: "gzip", dtype: "int32", shape: [23], chunks: [5], py: { compressor: { name: "gzip", level: 6 } }, ts: { codecs: [LE, { name: "gzip", configuration: { level: 6 } }] } },
    { name: "blosc shuffle", dtype: "float64", shape: [23], chunks: [5], py: { compressor: { name: "blosc", cname: "zstd", shuffle: "shuffle" } }, ts: { codecs: [LE, { name: "blosc", configuration: { cname: "zstd", clevel: 5, shuffle: "shuffle", typesize: 8, blocksize: 0 } }] } },
    { name: "blosc bitshuffle", dtype: "uint16", shape: [23], chunks: [5], py: { compressor: { name: "blosc", cname: "lz4", shuffle: "bitshuffle" } }, ts: { codecs: [LE, { name: "blosc", configuration: { cname: "lz4", clevel: 5, shuffle: "bitshuffle", typesize: 2, blocksize: 0 } }] } },
    { name: "crc32c", dtype: "int16", shape: [23], chunks: [5], py: { compressor: { name: "crc32c" } }, ts: { codecs: [LE, { name: "crc32c" }] } },
    { name: "zstd with checksum", dtype: "float32", shape: [23], chunks: [5], py: { compressor: { name: "zstd", level: 3, checksum: true } }, ts: { codecs: [LE, { name: "zstd", configuration: { level: 3, checksum: true } }] } },
    { name: "no compressor", dtype: "uint8", shape: [23], chunks: [5], py: { compressor: { name: "none" } }, ts: { codecs: [{ name: "bytes" }] } },
    { name: "big-endian", dtype: "int64", shape: [23], chunks: [5], py: { endian: "big", compressor: { name: "none" } }, ts: { codecs: [{ name: "bytes", configuration: { endian: "big" } }] } },
    { name: "v2 chunk keys", dtype: "int32", shape: [23, 2], chunks: [5, 2], py: { chunk_key_encoding: { name: "v2", separator: "." } }, ts: { codecs: [LE, { name: "zstd", configuration: { level: 0, checksum: false } }], chunkKeyEncoding: { name: "v2", separator: "." } } },
    { name: "default '.' keys", dtype: "int32", shape: [23, 2], chunks: [5, 1], py: { chunk_key_encoding: { name: "default", separator: "." } }, ts: { codecs: [LE, { name: "zstd", configuration: { level: 0, checksum: false } }], chunkKeyEncoding: { name: "default", separator: "." } } },
    { name: "NaN fill, missing chunks", dtype: "float64", shape: [23], chunks: [5], py: { fill_value: NaN, write_rows: [[0, 3], [12, 14]] }, ts: { codecs: [LE, { name: "zstd", configuration: { level: 0, checksum: false } }], fillValue: NaN } },
    { name: "int64 fill past 2^53, missing chunks", dtype: "int64", shape: [23], chunks: [5], py: { fill_value: 2n ** 62n + 1n, write_rows: [[5, 9]] }, ts: { codecs: [LE, { name: "zstd", configuration: { level: 0, checksum: false } }], fillValue: 2n ** 62n + 1n } },
    { name: "transpose 2-d", dtype: "uint32", shape: [7, 3], chunks: [4, 2], py: { transpose: [1, 0] }, ts: { codecs: [{ name: "transpose", configuration: { order: [1, 0] } }, LE, { name: "zstd", configuration: { level: 0, checksum: false } }] } },
    { name: "transpose 3-d", dtype: "int16", shape: [5, 3, 4], chunks: [2, 3, 3], py: { transpose: [2, 0, 1] }, ts: { codecs: [{ name: "transpose", configuration: { order: [2, 0, 1] } }, LE, { name: "zstd", configuration: { level: 0, checksum: false } }] } },
    { name: "sharded", dtype: "float32", shape: [23], chunks: [3], py: { shards: [9] }, ts: { codecs: [{ name: "sharding_indexed", configuration: { chunk_shape: [3], codecs: [LE, { name: "zstd", configuration: { level: 0, checksum: false } }], index_codecs: [LE, { name: "crc32c" }], index_location: "end" } }], shards: [9] } },
    { name: "strings, gzip", dtype: "string", shape: [23], chunks: [5], py: { compressor: { name: "gzip", level: 1 } }, ts: { codecs: [{ name: "vlen-utf8", configuration: {} }, { name: "gzip", configuration: { level: 1 } }] } },
  ];

  const jsonValues = (c: Case, seed: number) => toJsonValues(c.dtype, sampleColumn(c.dtype, c.shape.reduce((a, b) => a * b, 1), 1, seed));

  for (const [i, c] of cases.entries()) {
    t(`F-6.9: zarr-python writes, ratzarr reads: ${c.name} [zarr-python ${z.version}]`, async () => {
      const path = join(session.work, `py-${i}.zarr`);
      const values = jsonValues(c, i + 1);
      await session.py.send("createArray", { path, spec: { dtype: c.dtype, shape: c.shape, chunks: c.chunks, values, ...c.py } });
      const expected = (await session.py.send("readArray", { path })) as { values: JsonValue[] };
      const a = await ZarrArray.open(new FileSystemStore(path, { readOnly: true }), "");
      assert.is(a.dataType, c.dtype);
      assert.equal(a.shape, c.shape);
      assertSameValues(await a.read(), fromJsonValues(c.dtype, expected.values), c.name);
    });

    t(`ratzarr writes, zarr-python reads: ${c.name} [zarr-python ${z.version}]`, async () => {
      const path = join(session.work, `ts-${i}.zarr`);
      const data = fromJsonValues(c.dtype, jsonValues(c, 100 + i));
      const store = new FileSystemStore(path);
      const chunkShape = c.ts.shards ?? c.chunks;
      const a = await ZarrArray.create(store, "", { shape: c.shape, dataType: c.dtype, chunkShape, codecs: c.ts.codecs, fillValue: c.ts.fillValue, chunkKeyEncoding: c.ts.chunkKeyEncoding });
      const rows = c.py["write_rows"] as [number, number][] | undefined;
      const rowSize = c.shape.slice(1).reduce((x, y) => x * y, 1);
      if (rows === undefined) await a.write(0, data as never);
      else for (const [s, e] of rows) await a.write(s, data.slice(s * rowSize, e * rowSize) as never);
      const got = (await session.py.send("readArray", { path })) as { values: JsonValue[]; dtype: string; shape: number[] };
      assert.is(got.dtype, c.dtype);
      assert.equal(got.shape, c.shape);
      assertSameValues(fromJsonValues(c.dtype, got.values), await a.read(), c.name);
      if (rows === undefined) assertSameValues(await a.read(), data, c.name);
    });
  }

  t.run();
}
