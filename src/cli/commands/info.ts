/**
 * `ratzarr info PATH`: what a RAT holds, from its metadata and one listing
 * of its keys (no chunk is read, so it stays fast with thousands of columns).
 */
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import type { CodecMetadata, JsonObject } from "../../codecs/codec.js";
import { RAT_GROUP } from "../../node/index.js";
import type { ZarrArray } from "../../format/array.js";
import { metadataKey, parseChunkKey } from "../../format/keys.js";
import { mapLimit } from "../../format/concurrency.js";
import { parseModificationLog } from "../../rat/modification-log.js";
import { openRat } from "../open-rat.js";
import { storedSizes } from "../stored-sizes.js";
import { formatTable } from "../table.js";
import { toJsonLine } from "../json-output.js";
import { positionals } from "../usage-error.js";

const usage = "ratzarr info PATH [--json]";

/** What `info --json` prints for one column. */
interface ColumnInfo {
  name: string;
  dataType: string;
  width: number;
  chunkRows: number;
  codecs: readonly CodecMetadata[];
  chunksStored: number;
  chunksExpected: number;
  storedBytes: number | null;
  /** Decoded bytes of the stored chunks (null for strings, whose size is known only by decoding). */
  decodedBytes: number | null;
  ratio: number | null;
  lastModified: { time: string; user: string } | null;
  attributes: JsonObject;
}

/** A codec as `name(key=value, ...)`. */
function showCodec(c: CodecMetadata): string {
  const conf = Object.entries(c.configuration ?? {});
  return conf.length === 0 ? c.name : `${c.name}(${conf.map(([k, v]) => `${k}=${typeof v === "string" ? v : toJsonLine(v).trimEnd()}`).join(", ")})`;
}

/** Bytes as "812 B", "4.1 KiB", "3.20 MiB". */
export function showBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ${units[i]!}`;
}

/** The keys under `RAT/`, grouped by column folder, relative to it. */
function byColumn(keys: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of keys) {
    const rest = key.slice(RAT_GROUP.length + 1);
    const slash = rest.indexOf("/");
    if (slash < 0) continue;
    const name = rest.slice(0, slash);
    const list = out.get(name) ?? [];
    list.push(rest.slice(slash + 1));
    out.set(name, list);
  }
  return out;
}

function columnInfo(name: string, col: ZarrArray, keys: readonly string[], sizes: ReadonlyMap<string, number> | undefined): ColumnInfo {
  const meta = col.metadata;
  const grid = meta.shape.map((s, i) => Math.ceil(s / meta.chunkShape[i]!));
  const chunks = keys.filter((k) => {
    const coords = parseChunkKey(meta.chunkKeyEncoding, k, meta.shape.length);
    return coords !== undefined && coords.every((c, i) => c < grid[i]!);
  });
  const storedBytes = sizes === undefined ? null : chunks.reduce((sum, k) => sum + (sizes.get(`${RAT_GROUP}/${name}/${k}`) ?? 0), 0);
  const decodedBytes = col.chunkBytes === undefined ? null : col.chunkBytes * chunks.length;
  const { MODIFICATIONLOG: log, ...attributes } = meta.attributes;
  const last = parseModificationLog(log, metadataKey(col.path)).at(-1);
  return {
    name,
    dataType: meta.dataType,
    width: col.rowSize,
    chunkRows: meta.chunkShape[0] ?? 1,
    codecs: meta.codecs,
    chunksStored: chunks.length,
    chunksExpected: grid.reduce((a, b) => a * b, 1),
    storedBytes,
    decodedBytes,
    ratio: storedBytes === null || decodedBytes === null || storedBytes === 0 ? null : Math.round((decodedBytes / storedBytes) * 100) / 100,
    lastModified: last === undefined ? null : { time: last[0], user: last[1] },
    attributes,
  };
}

async function run(ctx: CommandContext): Promise<number> {
  const { positionals: given } = parseArgs({ args: [...ctx.argv], options: {}, allowPositionals: true, strict: true });
  const [path] = positionals(given, 1, 1, usage) as [string];
  const rz = await openRat(path, ctx, { readOnly: true });
  try {
    const io = { signal: ctx.signal };
    const keys: string[] = [];
    for await (const k of rz.store.list(`${RAT_GROUP}/`, io)) keys.push(k);
    const grouped = byColumn(keys);
    const names = [...grouped].filter(([, ks]) => ks.includes("zarr.json")).map(([n]) => n).sort();
    const sizeList = await storedSizes(rz.store, keys, io);
    const sizes = sizeList === undefined ? undefined : new Map(keys.map((k, i) => [k, sizeList[i]!]));
    const columns = await mapLimit(names, 16, async (n) => columnInfo(n, await rz.openColumn(n), grouped.get(n) ?? [], sizes));
    const sum = (f: (c: ColumnInfo) => number | null): number | null => columns.reduce<number | null>((a, c) => (a === null || f(c) === null ? null : a + f(c)!), 0);
    const storedBytes = sum((c) => c.storedBytes);
    const decoded = sum((c) => c.decodedBytes);
    const newest = columns.filter((c) => c.lastModified !== null).sort((a, b) => b.lastModified!.time.localeCompare(a.lastModified!.time))[0];
    const attributes = (await rz.getRatAttributeMapping()).toJSON();
    const summary = {
      path: rz.path,
      rows: rz.getRowCount(),
      chunkSize: rz.getRATChunkSize(),
      columnCount: columns.length,
      chunksStored: columns.reduce((a, c) => a + c.chunksStored, 0),
      chunksExpected: columns.reduce((a, c) => a + c.chunksExpected, 0),
      storedBytes,
      ratio: storedBytes === null || decoded === null || storedBytes === 0 ? null : Math.round((decoded / storedBytes) * 100) / 100,
      lastModified: newest === undefined ? null : { ...newest.lastModified!, column: newest.name },
      attributes,
      columns,
    };
    if (ctx.json) {
      ctx.out(toJsonLine(summary));
      return 0;
    }
    const sizeNote = storedBytes === null ? "sizes not shown: this store cannot tell them without reading every chunk" : `${showBytes(storedBytes)}${summary.ratio === null ? "" : `, compression ratio ${summary.ratio}`}`;
    const head = [
      ["RAT", summary.path],
      ["rows", String(summary.rows)],
      ["chunk size", `${summary.chunkSize} rows (for new columns)`],
      ["columns", String(summary.columnCount)],
      ["chunks", `${summary.chunksStored} stored of ${summary.chunksExpected}`],
      ["stored", sizeNote],
      ["modified", newest === undefined ? "never written" : `${newest.lastModified!.time} by ${newest.lastModified!.user || "(unknown)"} (column "${newest.name}")`],
    ];
    let text = head.map(([k, v]) => `${k!.padEnd(11)}${v!}\n`).join("");
    const attrs = Object.entries(attributes);
    text += attrs.length === 0 ? "attributes (none)\n" : `attributes\n${attrs.map(([k, v]) => `  ${k} = ${typeof v === "bigint" ? `${v}\n` : toJsonLine(v)}`).join("")}`;
    if (columns.length > 0) {
      text += "\n" + formatTable(
        ["column", "type", "width", "chunk rows", "chunks", "stored", "ratio", "modified", "codecs"],
        columns.map((c) => [
          c.name,
          c.dataType,
          { text: String(c.width), right: true },
          { text: String(c.chunkRows), right: true },
          { text: `${c.chunksStored}/${c.chunksExpected}`, right: true },
          { text: c.storedBytes === null ? "-" : showBytes(c.storedBytes), right: true },
          { text: c.ratio === null ? "-" : String(c.ratio), right: true },
          c.lastModified === null ? "-" : `${c.lastModified.time} ${c.lastModified.user}`,
          c.codecs.map(showCodec).join(" > "),
        ]),
      );
    }
    ctx.out(text);
    return 0;
  } finally {
    await rz.close();
  }
}

/** `ratzarr info`. */
export const info: Command = {
  name: "info",
  summary: "row count, chunk size, columns (type, width, codecs, chunks, sizes), last change, attributes",
  usage,
  example: `$ ratzarr info segments.zarr
RAT        segments.zarr
rows       1000
chunk size 500 rows (for new columns)
columns    2
chunks     4 stored of 4
stored     5.12 KiB, compression ratio 2.1
modified   2026-12-01T16:20:00 by alice (column "area")
attributes
  title = "segments"

column  type     width  chunk rows  chunks    stored  ratio  modified                   codecs
area    float64      1         500     2/2  3.60 KiB    2.2  2026-12-01T16:20:00 alice  bytes(endian=little) > zstd(level=0, checksum=false)
name    string       1         500     2/2  1.52 KiB      -  2026-12-01T16:19:58 alice  vlen-utf8 > zstd(level=0, checksum=false)

--json: {"path","rows","chunkSize","columnCount","chunksStored","chunksExpected",
  "storedBytes" (null where the store cannot tell sizes: S3, HTTP),"ratio" (decoded/stored, null when
  unknown or with string columns),"lastModified":{"time","user","column"}|null,"attributes",
  "columns":[{"name","dataType","width","chunkRows","codecs" (as in zarr.json),"chunksStored",
  "chunksExpected","storedBytes","decodedBytes","ratio","lastModified":{"time","user"}|null,
  "attributes" (without MODIFICATIONLOG)}]}
Stored sizes come from the listing plus one stat per file on local disk; on S3 and HTTP they are left out.`,
  run,
};
