/**
 * The `blosc` bytes→bytes codec (spec: codecs/blosc v1.0), on the WASM
 * c-blosc of npm `numcodecs`, loaded on first use. The 16-byte blosc header
 * is read here first: the WASM decoder trusts it blindly (it neither checks
 * the input length nor reports errors), so sizes are checked before it runs.
 */
import type { BytesToBytesCodec, JsonObject } from "./codec.js";
import { CodecError, MetadataError, showValue } from "../errors.js";
import { readUint32LE } from "./binary.js";

const NAME = "blosc";
/** c-blosc 1.x header: version, versionlz, flags, typesize, nbytes, blocksize, cbytes (README_CHUNK_FORMAT). */
const HEADER_SIZE = 16;
/** Header flag: the data was stored uncompressed after the header. */
const FLAG_MEMCPYED = 0x02;
/** c-blosc 1.x writes format version 2 and reads versions up to it. */
const MAX_FORMAT_VERSION = 2;
const CNAMES = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"] as const;
/** The Zarr v3 shuffle names and numcodecs' numeric shuffle modes. */
const SHUFFLES = { noshuffle: 0, shuffle: 1, bitshuffle: 2 } as const;

interface WasmCodec {
  encode(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
  decode(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}
interface BloscSettings {
  cname: string;
  clevel: number;
  shuffle: number;
  blocksize: number;
}

let loading: Promise<(settings: BloscSettings) => WasmCodec> | undefined;

/** Import numcodecs' blosc once; a failed import is forgotten so a later call can retry. */
function loadBlosc(): Promise<(settings: BloscSettings) => WasmCodec> {
  loading ??= import("numcodecs/blosc").then(
    (m) => (s: BloscSettings) => m.default.fromConfig({ id: "blosc", ...s }),
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

/**
 * Make a `blosc` codec from `{"cname", "clevel", "shuffle", "typesize", "blocksize"}`.
 * `shuffle` is "noshuffle" | "shuffle" | "bitshuffle" (the integers 0, 1, 2
 * and -1 of older metadata are accepted too). numcodecs always shuffles with
 * an element size of 4 whatever `typesize` says; the output is valid blosc
 * (its header records the size used), only the compression ratio differs.
 */
export function createBloscCodec(configuration: JsonObject, file: string): BytesToBytesCodec {
  const bad = (what: string, value: unknown): never => {
    throw new MetadataError(file, "codecs", `blosc codec: ${what}, got ${showValue(value)}`);
  };
  const cname = configuration["cname"] ?? "zstd";
  if (typeof cname !== "string" || !(CNAMES as readonly string[]).includes(cname)) bad(`"cname" must be one of ${CNAMES.join(", ")}`, cname);
  const clevel = configuration["clevel"] ?? 5;
  if (typeof clevel !== "number" || !Number.isInteger(clevel) || clevel < 0 || clevel > 9) bad(`"clevel" must be an integer from 0 to 9`, clevel);
  const shuffleValue = configuration["shuffle"] ?? "shuffle";
  let shuffle: number;
  if (typeof shuffleValue === "string" && Object.hasOwn(SHUFFLES, shuffleValue)) shuffle = SHUFFLES[shuffleValue as keyof typeof SHUFFLES];
  else if (shuffleValue === 0 || shuffleValue === 1 || shuffleValue === 2 || shuffleValue === -1) shuffle = shuffleValue;
  else shuffle = bad(`"shuffle" must be "noshuffle", "shuffle" or "bitshuffle"`, shuffleValue);
  const typesize = configuration["typesize"];
  if (typesize !== undefined && (typeof typesize !== "number" || !Number.isInteger(typesize) || typesize < 1)) bad(`"typesize" must be a positive integer`, typesize);
  const blocksize = configuration["blocksize"] ?? 0;
  if (typeof blocksize !== "number" || !Number.isInteger(blocksize) || blocksize < 0) bad(`"blocksize" must be a non-negative integer`, blocksize);

  const settings: BloscSettings = { cname: cname as string, clevel: clevel as number, shuffle, blocksize: blocksize as number };
  let wasm: WasmCodec | undefined;
  const codec = async (): Promise<WasmCodec> => (wasm ??= (await loadBlosc())(settings));

  return {
    kind: "bytes_to_bytes",
    name: NAME,
    encodedSize: () => undefined,

    async encode(bytes) {
      return (await codec()).encode(bytes);
    },

    async decode(bytes, ctx) {
      const { key, decodedSize, maxDecodedSize } = ctx;
      const n = bytes.byteLength;
      if (n < HEADER_SIZE) throw new CodecError(NAME, key, `truncated: ${n} bytes, the blosc header alone needs ${HEADER_SIZE}`);
      const version = bytes[0]!;
      const flags = bytes[2]!;
      const nbytes = readUint32LE(bytes, 4);
      const cbytes = readUint32LE(bytes, 12);
      if (version === 0 || version > MAX_FORMAT_VERSION) {
        throw new CodecError(NAME, key, `blosc format version ${version} is not supported (c-blosc 1.x writes ${MAX_FORMAT_VERSION})`);
      }
      if (cbytes > n) throw new CodecError(NAME, key, `truncated: blosc header says ${cbytes} compressed bytes, only ${n} present`);
      if (cbytes < HEADER_SIZE) throw new CodecError(NAME, key, `corrupt blosc header: ${cbytes} compressed bytes is less than the header itself`);
      if (decodedSize !== undefined && nbytes !== decodedSize) {
        throw new CodecError(NAME, key, `blosc header says ${nbytes} decoded bytes, expected ${decodedSize}`);
      }
      if (nbytes > maxDecodedSize) {
        throw new CodecError(NAME, key, `blosc header says ${nbytes} decoded bytes, more than the limit of ${maxDecodedSize}`);
      }
      if (nbytes === 0) return new Uint8Array(0);
      if (flags & FLAG_MEMCPYED) {
        // Stored uncompressed after the header: no need for the decoder.
        if (cbytes !== HEADER_SIZE + nbytes) {
          throw new CodecError(NAME, key, `corrupt blosc header: uncompressed data of ${nbytes} bytes but ${cbytes} compressed bytes (expected ${HEADER_SIZE + nbytes})`);
        }
        return bytes.slice(HEADER_SIZE, cbytes);
      }
      let out: Uint8Array;
      try {
        out = await (await codec()).decode(bytes.subarray(0, cbytes));
      } catch (e) {
        throw new CodecError(NAME, key, `corrupt blosc data (${cbytes} bytes): ${e instanceof Error ? e.message : showValue(e)}`, { cause: e });
      }
      if (out.length !== nbytes) throw new CodecError(NAME, key, `decoded ${out.length} bytes, blosc header says ${nbytes}`);
      return out;
    },
  };
}
