/**
 * Codec registries are values: a codec registered in one registry is known
 * to the handles given that registry, and to nothing else.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CodecRegistry, MemoryStore, MetadataError, RatZarr, standardCodecs, webPlatform, ZarrArray } from "../../src/index.js";
import type { BytesToBytesCodec } from "../../src/index.js";
import { rejects } from "../rat/helpers.js";

/** A toy bytes→bytes codec: every byte XOR 0x5a. */
const xor = (b: Uint8Array) => b.map((x) => x ^ 0x5a);
const xorCodec: BytesToBytesCodec = { kind: "bytes_to_bytes", name: "xor", encodedSize: (n) => n, encode: xor, decode: xor };

test("a codec registered in one registry works through the handles given it, and is unknown elsewhere", async () => {
  const mine = new CodecRegistry().register("xor", { kind: "bytes_to_bytes", create: () => xorCodec });
  assert.ok(mine.names().includes("xor"));
  assert.not.ok(standardCodecs().names().includes("xor"), "the standard registry is untouched");
  const store = new MemoryStore();
  const codecs = [{ name: "bytes", configuration: { endian: "little" } }, { name: "xor" }];
  const a = await ZarrArray.create(store, "RAT/x", { shape: [6], dataType: "int16", chunkShape: [4], codecs }, { codecs: mine });
  await a.write(0, Int16Array.from([1, 2, 3, 4, 5, 6]));
  const stored = (await store.get("RAT/x/c/0"))!;
  assert.equal(Array.from(stored.subarray(0, 2)), [1 ^ 0x5a, 0 ^ 0x5a]);
  assert.equal(Array.from(await (await ZarrArray.open<"int16">(store, "RAT/x", { codecs: mine })).read()), [1, 2, 3, 4, 5, 6]);
  await rejects(() => ZarrArray.open(store, "RAT/x"), MetadataError, /unknown codec "xor"/);
  // A RAT handle whose runtime has the registry sees the column.
  await store.set("zarr.json", new TextEncoder().encode('{"zarr_format": 3, "node_type": "group", "attributes": {}}'));
  await store.set("RAT/zarr.json", new TextEncoder().encode('{"zarr_format": 3, "node_type": "group", "attributes": {"ROWCOUNT": 6, "CHUNKSIZE": 4}}'));
  const rz = await RatZarr.open(store, { runtime: { platform: webPlatform, codecs: mine }, readOnly: true });
  assert.ok(await rz.colExists("x"));
  assert.equal(Array.from(await rz.readBlock<"int16">("x", 2, 3)), [3, 4, 5]);
  const plain = await RatZarr.open(store, { readOnly: true });
  await rejects(() => plain.readBlock("x", 0, 1), MetadataError, /unknown codec "xor"/);
});

test("each registry loads its libzstd once, and falls back to WASM when its loader fails", async () => {
  let calls = 0;
  const failing = new CodecRegistry(async () => {
    calls++;
    throw new Error("no native build here");
  });
  const a = await failing.zstd();
  const b = await failing.zstd();
  assert.is(a, b);
  assert.is(calls, 1);
  assert.match(a.name, /wasm/);
});

test.run();
