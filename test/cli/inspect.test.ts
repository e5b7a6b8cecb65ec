/**
 * `ratzarr inspect`: one chunk taken codec by codec through zstd, vlen-utf8 + zstd,
 * bytes + crc32c and big-endian bytes + gzip, with the sizes and header fields of
 * each step, the first values, `--chunk`, `--json`, a missing chunk and the errors.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RatZarr, ZarrArray } from "../../src/node/index.js";
import { FileSystemStore } from "../../src/stores/fs.js";
import { inspect } from "../../src/cli/commands/inspect.js";
import { commands } from "../../src/cli/commands/index.js";
import type { CommandContext } from "../../src/cli/command.js";
import { silentProgress } from "../../src/cli/progress.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { bytesHeader, vlenHeader } from "../../src/cli/codec-headers.js";
import { cleanup, tempRatPath } from "../rat/helpers.js";

const t = suite("inspect");
t.after.each(cleanup);

/** 10 rows in chunks of 4: float64 "b" (zstd), string "s" (vlen-utf8 + zstd), int32 "crc" (bytes + crc32c), int32 "gz" (big-endian bytes + gzip). */
async function rat(): Promise<string> {
  const path = tempRatPath();
  const rz = await RatZarr.open(path, { onWarning: () => undefined });
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  await rz.createColumn("b", "float64");
  await rz.createColumn("s", "string");
  await rz.writeBlock("b", Float64Array.from({ length: 10 }, (_, i) => i / 4), 0);
  await rz.writeBlock("s", Array.from({ length: 10 }, (_, i) => `row ${i} é`), 0);
  await rz.close();
  const store = new FileSystemStore(path);
  const codecs = {
    crc: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }],
    gz: [{ name: "bytes", configuration: { endian: "big" } }, { name: "gzip", configuration: { level: 5 } }],
  } as const;
  for (const [name, list] of Object.entries(codecs)) {
    const arr = await ZarrArray.create(store, `RAT/${name}`, { shape: [10], dataType: "int32", chunkShape: [4], codecs: list, attributes: { MODIFICATIONLOG: [] } });
    await arr.write(0, Int32Array.from({ length: 10 }, (_, i) => 100 + i));
  }
  return path;
}

function context(argv: string[], json = false) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CommandContext = { argv, json, signal: new AbortController().signal, out: (s) => void out.push(s), err: (s) => void err.push(s), interactive: false, progress: () => silentProgress };
  return { ctx, out, err };
}

interface Step { codec: string; inputBytes?: number; outputBytes?: number; expectedBytes?: number | null; elements?: number; header?: Record<string, unknown>; statement: string; error?: string }
interface Report {
  zarrJson: string;
  chunk: { index: number; key: string; rows: number[]; stored: boolean; storedBytes: number | null } | null;
  steps: Step[];
  values: { rows: { row: number; value: unknown }[] } | null;
  error: string | null;
  statement: string | null;
}

async function json(path: string, ...args: string[]): Promise<Report> {
  const { ctx, out } = context([path, ...args], true);
  assert.is(await inspect.run(ctx), 0);
  assert.is(out.length, 1);
  return JSON.parse(out[0]!) as Report;
}

t("is in the registry", () => {
  assert.ok(commands.includes(inspect));
});

t("zstd float64: zarr.json as stored, frame header, sizes, values", async () => {
  const path = await rat();
  const r = await json(path, "b");
  assert.is(r.zarrJson, readFileSync(join(path, "RAT/b/zarr.json"), "utf8"));
  assert.is(r.chunk!.key, "RAT/b/c/0");
  assert.equal(r.chunk!.rows, [0, 4]);
  assert.is(r.chunk!.storedBytes, readFileSync(join(path, "RAT/b/c/0")).byteLength);
  const [zstd, bytes] = r.steps;
  assert.is(zstd!.codec, "zstd");
  assert.is(zstd!.inputBytes, r.chunk!.storedBytes);
  assert.is(zstd!.outputBytes, 32);
  assert.is(zstd!.expectedBytes, 32);
  assert.is(zstd!.header!["frames"], 1);
  const frame = (zstd!.header!["frameList"] as Record<string, unknown>[])[0]!;
  assert.is(frame["contentSize"], 32);
  assert.type(frame["checksum"], "boolean");
  assert.type(frame["window"], "number");
  assert.is(bytes!.codec, "bytes");
  assert.is(bytes!.inputBytes, 32);
  assert.is(bytes!.elements, 4);
  assert.equal(bytes!.header, { endian: "little" });
  assert.equal(r.values!.rows, [{ row: 0, value: 0 }, { row: 1, value: 0.25 }, { row: 2, value: 0.5 }, { row: 3, value: 0.75 }]);
  assert.is(r.error, null);
});

t("text output shows each step and the values", async () => {
  const path = await rat();
  const { ctx, out } = context([path, "b"]);
  assert.is(await inspect.run(ctx), 0);
  const text = out.join("");
  assert.ok(text.includes(readFileSync(join(path, "RAT/b/zarr.json"), "utf8")), text);
  assert.match(text, /chunk 0 of 3 along rows: RAT\/b\/c\/0 \(rows 0 to 4\)/);
  assert.match(text, /1\. zstd .*: \d+ -> 32 bytes/);
  assert.match(text, /frames=1/);
  assert.match(text, /2\. bytes \{"endian":"little"\}: 32 bytes -> 4 elements/);
  // Each step names the statement of docs/FORMAT.md on its codec's bytes.
  assert.match(text, /1\. zstd .*: \d+ -> 32 bytes \(F-6\.5\)\n/);
  assert.match(text, /2\. bytes .*elements \(F-6\.2\)\n/);
  assert.match(text, /\n {2}3 {2}0\.75\n/);
});

t("vlen-utf8 + zstd: element count and first lengths; --chunk picks the chunk", async () => {
  const path = await rat();
  const r = await json(path, "s", "--chunk", "2");
  assert.is(r.chunk!.key, "RAT/s/c/2");
  assert.equal(r.chunk!.rows, [8, 10]);
  const [zstd, vlen] = r.steps;
  assert.is(zstd!.codec, "zstd");
  assert.is(zstd!.expectedBytes, null);
  assert.is(vlen!.codec, "vlen-utf8");
  assert.is(vlen!.inputBytes, zstd!.outputBytes);
  // The edge chunk holds 4 elements: rows 8, 9, then two fill values ("").
  assert.equal(vlen!.header, { count: 4, firstLengths: [8, 8, 0, 0] });
  assert.is(vlen!.elements, 4);
  assert.equal([zstd!.statement, vlen!.statement, r.statement], ["F-6.5", "F-6.3", null]);
  assert.equal(r.values!.rows.slice(0, 2), [{ row: 8, value: "row 8 é" }, { row: 9, value: "row 9 é" }]);
});

t("bytes + crc32c: stored and computed checksum; a bad checksum fails with the steps shown", async () => {
  const path = await rat();
  const r = await json(path, "crc", "--chunk", "1");
  const [crc, bytes] = r.steps;
  assert.is(crc!.codec, "crc32c");
  assert.is(crc!.inputBytes, 20);
  assert.is(crc!.outputBytes, 16);
  assert.is(crc!.expectedBytes, 16);
  assert.is(crc!.header!["match"], true);
  assert.is(crc!.header!["stored"], crc!.header!["computed"]);
  assert.is(bytes!.elements, 4);
  assert.equal(r.values!.rows.map((x) => x.value), [104, 105, 106, 107]);

  const file = join(path, "RAT/crc/c/1");
  const b = readFileSync(file);
  b[0] = b[0]! ^ 1;
  writeFileSync(file, b);
  const { ctx, out, err } = context([path, "crc", "--chunk", "1"], true);
  assert.is(await inspect.run(ctx), 1);
  const bad = JSON.parse(out[0]!) as Report;
  assert.is(bad.steps.length, 1);
  assert.is(bad.steps[0]!.header!["match"], false);
  assert.match(bad.steps[0]!.error!, /checksum mismatch/);
  assert.is(bad.steps[0]!.statement, "F-6.7");
  assert.is(bad.statement, "F-6.7");
  assert.is(bad.values, null);
  assert.match(err.join(""), /codec crc32c, chunk "RAT\/crc\/c\/1": checksum mismatch/);
  assert.match(err.join(""), /checksum mismatch.* \(F-6\.7\)\n$/);
});

t("big-endian bytes + gzip: member count, ISIZE and CRC, values", async () => {
  const path = await rat();
  const r = await json(path, "gz");
  const [gz, bytes] = r.steps;
  assert.is(gz!.codec, "gzip");
  assert.is(gz!.outputBytes, 16);
  assert.is(gz!.header!["members"], 1);
  assert.is(gz!.header!["isize"], 16);
  assert.match(String(gz!.header!["crc"]), /^0x[0-9a-f]{8}$/);
  assert.equal(bytes!.header, { endian: "big" });
  assert.equal(r.values!.rows.map((x) => x.value), [100, 101, 102, 103]);
});

t("a missing chunk reads as the fill value; the default is the first stored chunk", async () => {
  const path = await rat();
  rmSync(join(path, "RAT/b/c/0"));
  const first = await json(path, "b");
  assert.is(first.chunk!.key, "RAT/b/c/1");
  const r = await json(path, "b", "--chunk", "0");
  assert.is(r.chunk!.stored, false);
  assert.is(r.chunk!.storedBytes, null);
  assert.equal(r.steps, []);
  assert.equal(r.values!.rows.map((x) => x.value), [0, 0, 0, 0]);
  const { ctx, out } = context([path, "b", "--chunk", "0"]);
  assert.is(await inspect.run(ctx), 0);
  assert.match(out.join(""), /not stored: reads as the fill value 0/);
});

t("no chunk stored at all: says so", async () => {
  const path = await rat();
  for (const k of ["0", "1", "2"]) rmSync(join(path, `RAT/gz/c/${k}`));
  const r = await json(path, "gz");
  assert.is(r.chunk, null);
  const { ctx, out } = context([path, "gz"]);
  assert.is(await inspect.run(ctx), 0);
  assert.match(out.join(""), /no chunk stored: every chunk reads as the fill value 0/);
});

t("a missing column is an error naming it", async () => {
  const path = await rat();
  const { ctx } = context([path, "nope"]);
  try {
    await inspect.run(ctx);
    assert.unreachable("should throw");
  } catch (e) {
    assert.not.instance(e, UsageError);
    assert.match((e as Error).message, /column "nope" does not exist/);
  }
});

t("usage errors: missing COLUMN, extra argument, bad --chunk, --chunk past the grid", async () => {
  const path = await rat();
  const cases: [string[], RegExp][] = [
    [[path], /missing COLUMN/],
    [[path, "b", "x"], /unexpected argument "x"/],
    [[path, "b", "--chunk=-1"], /--chunk must be/],
    [[path, "b", "--chunk", "1.5"], /--chunk must be/],
    [[path, "b", "--chunk", "3"], /--chunk 3: column "b" has 3 chunks along rows \(10 rows in chunks of 4\)/],
  ];
  for (const [argv, message] of cases) {
    const { ctx } = context(argv);
    try {
      await inspect.run(ctx);
      assert.unreachable(`should throw for ${argv.join(" ")}`);
    } catch (e) {
      assert.instance(e, UsageError, argv.join(" "));
      assert.match((e as Error).message, message);
    }
  }
});

t("header readers honour a subarray's byteOffset; truncated input is marked", () => {
  const body = new Uint8Array([2, 0, 0, 0, 1, 0, 0, 0, 0x61, 3, 0, 0, 0, 0x62, 0x63, 0x64]);
  const padded = new Uint8Array(body.length + 3);
  padded.set(body, 3);
  assert.equal(vlenHeader(padded.subarray(3)), { count: 2, firstLengths: [1, 3] });
  assert.equal(vlenHeader(new Uint8Array(3)), { truncated: true });
  // crc32c of "123456789" is 0xe3069283 (RFC 3720, B.4).
  const data = new TextEncoder().encode("123456789");
  const framed = new Uint8Array(2 + data.length + 4);
  framed.set(data, 2);
  new DataView(framed.buffer).setUint32(2 + data.length, 0xe3069283, true);
  assert.equal(bytesHeader("crc32c", framed.subarray(2), "k"), { stored: "0xe3069283", computed: "0xe3069283", match: true });
  assert.equal(bytesHeader("blosc", new Uint8Array(8), "k"), { truncated: true });
  assert.is(bytesHeader("unknown", new Uint8Array(8), "k"), undefined);
});

t.run();
