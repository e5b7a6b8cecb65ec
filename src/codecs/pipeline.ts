/**
 * A chain of codecs for one array (spec: "Codecs", encoding procedure):
 * array→array codecs, one array→bytes codec, bytes→bytes codecs. Decoding
 * runs the chain backwards with every size it can know passed down, so a
 * decoder can refuse a chunk that claims more than it may hold.
 */
import type { ArrayToArrayCodec, ArrayToBytesCodec, BytesToBytesCodec, ChunkSpec, CodecContext, CodecMetadata } from "./codec.js";
import type { ChunkData } from "../data-types.js";
import { type CodecRegistry, standardCodecs } from "./registry.js";
import { CodecError } from "../errors.js";
import { checkCodecOrder } from "./codec-list.js";
import type { ScratchLease, ScratchPool } from "./scratch.js";


/** Default bound on any decoded chunk whose size is not fixed (strings): 1 GiB. */
export const DEFAULT_MAX_DECODED_BYTES = 1 << 30;

export interface PipelineOptions {
  /** Bound on the decoded size of a chunk whose size the metadata does not fix. */
  readonly maxDecodedBytes?: number | undefined;
  /** Where codecs come from (default: the core's standard registry, WASM zstd). */
  readonly codecs?: CodecRegistry | undefined;
}

/** Encodes and decodes the chunks of one array. Build it with `CodecPipeline.create`. */
export class CodecPipeline {
  private constructor(
    readonly arrayToArray: readonly ArrayToArrayCodec[],
    readonly arrayToBytes: ArrayToBytesCodec,
    readonly bytesToBytes: readonly BytesToBytesCodec[],
    /** spec seen by each array→array codec, then the spec seen by the array→bytes codec */
    private readonly specs: readonly ChunkSpec[],
    /** decoded byte size at the input of each bytes→bytes codec (undefined when not fixed) */
    private readonly sizes: readonly (number | undefined)[],
    private readonly maxDecodedBytes: number,
    /** The runtime's scratch buffers, for bytes that only pass between two codecs. */
    private readonly scratch: ScratchPool,
  ) {}

  /** Make the codecs named in `codecs` for chunks of `spec`; `file` names the `zarr.json` for errors. */
  static async create(codecs: readonly CodecMetadata[], spec: ChunkSpec, file: string, options: PipelineOptions = {}): Promise<CodecPipeline> {
    const registry = options.codecs ?? standardCodecs();
    const made = await Promise.all(codecs.map((c) => registry.create(c.name, c.configuration ?? {}, file)));
    checkCodecOrder(made, (c) => c.kind, file);
    const a2a = made.filter((c) => c.kind === "array_to_array");
    const a2b = made.find((c) => c.kind === "array_to_bytes")!;
    const b2b = made.filter((c) => c.kind === "bytes_to_bytes");
    const specs: ChunkSpec[] = [spec];
    for (const c of a2a) specs.push(c.encodedSpec(specs[specs.length - 1]!));
    const sizes: (number | undefined)[] = [a2b.encodedSize(specs[specs.length - 1]!)];
    for (const c of b2b) sizes.push(c.encodedSize(sizes[sizes.length - 1]));
    return new CodecPipeline(a2a, a2b, b2b, specs, sizes, options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES, registry.scratch);
  }

  /** The exact encoded size of every chunk, when the codecs fix it (no compression), else undefined. */
  get fixedEncodedSize(): number | undefined {
    return this.sizes[this.sizes.length - 1];
  }

  /** True when the chain is a single little-endian `bytes` codec, so stored bytes are the array's own bytes. */
  get isPlainBytes(): boolean {
    return this.arrayToArray.length === 0 && this.bytesToBytes.length === 0 && this.arrayToBytes.name === "bytes";
  }

  /**
   * Encode one chunk of the array's chunk shape (C order) into stored bytes. The array→bytes
   * codec's bytes, when a compressor follows, may be written into a lent scratch buffer: it is
   * given back once the compressor has read them.
   */
  encode(data: ChunkData, ctx: CodecContext): Promise<Uint8Array> {
    if (this.bytesToBytes.length === 0) return this.arrayStage(data, ctx, undefined);
    const lease = this.scratch.lease();
    // Two stages, so that nothing here holds the chunk's array while its bytes compress: a
    // string chunk's strings can be collected meanwhile (with write-behind, four chunks of
    // 100 MB of strings were kept alive until their writes ended).
    return this.arrayStage(data, ctx, lease).then(
      (raw) => this.bytesStage(raw, ctx, lease),
      (e: unknown) => {
        lease?.release();
        throw e;
      },
    );
  }

  /** The array→array codecs, then the array→bytes codec (into `lease`'s buffers when given: a compressor follows). */
  private async arrayStage(data: ChunkData, ctx: CodecContext, lease: ScratchLease | undefined): Promise<Uint8Array> {
    let arr = data;
    for (let i = 0; i < this.arrayToArray.length; i++) arr = await this.arrayToArray[i]!.encode(arr, this.specs[i]!, ctx);
    const spec = this.specs[this.specs.length - 1]!;
    return this.arrayToBytes.encode(arr, spec, this.bytesToBytes.length === 0 ? ctx : { ...ctx, transient: true, scratch: lease });
  }

  /** The bytes→bytes codecs; `lease` (holding `raw`) is released once the first has read it. */
  private async bytesStage(raw: Uint8Array, ctx: CodecContext, lease: ScratchLease | undefined): Promise<Uint8Array> {
    let bytes: Uint8Array | undefined;
    try {
      // The lease holds the compressor's input: it may release it early (once it has copied it),
      // or let the compressor's worker read it in place.
      const next = { ...ctx, scratch: lease };
      bytes = await this.bytesToBytes[0]!.encode(raw, this.arrayToBytes.splits === true ? { ...next, schedule: { ...ctx.schedule, splits: true } } : next);
    } finally {
      // After the first bytes→bytes codec, nothing reads the array→bytes codec's bytes again.
      lease?.release(bytes);
    }
    for (let i = 1; i < this.bytesToBytes.length; i++) bytes = await this.bytesToBytes[i]!.encode(bytes, ctx);
    return bytes;
  }

  /**
   * A scratch lease for one chunk's decode, when its decompressed bytes are only read by the
   * array→bytes codec (`consumesBytes`): passed in the context of `decodeBytes` and of
   * `decodeArray`, released by the caller once `decodeArray` has returned (`decode` does it all).
   */
  decodeLease(): ScratchLease | undefined {
    return this.bytesToBytes.length > 0 && this.arrayToBytes.consumesBytes === true ? this.scratch.lease() : undefined;
  }

  /**
   * True when decoding makes JavaScript objects (strings) rather than a typed array: such a
   * chunk costs the JavaScript heap from the moment it is decoded until nobody holds it.
   */
  get decodesToObjects(): boolean {
    return this.specs[0]!.dataType === "string";
  }

  /**
   * Decode the stored bytes of one chunk into a new array of the chunk shape (C order). `rows`:
   * how many leading rows of the chunk lie inside the array, when fewer than all (an edge
   * chunk); the rest is padding nobody reads, which need not be decoded: the array is then
   * maybe just those rows, shorter than a chunk (ChunkIO pads it before encoding it).
   */
  async decode(bytes: Uint8Array, ctx: CodecContext, rows?: number): Promise<ChunkData> {
    const lease = this.decodeLease();
    if (lease === undefined) return this.decodeArray(await this.decodeBytes(bytes, ctx, rows), ctx, rows);
    const leased = { ...ctx, scratch: lease };
    let out: ChunkData | undefined;
    try {
      out = await this.decodeArray(await this.decodeBytes(bytes, leased, rows), leased, rows);
      return out;
    } finally {
      lease.release(out);
    }
  }

  /**
   * The first half of `decode`: the bytes→bytes codecs, backwards (decompression). With `rows`,
   * when the stored bytes are the rows in order (the `bytes` codec) and the decompressor can
   * stop early, only those rows' bytes are decompressed. `ctx.scratch` (from `decodeLease`)
   * reaches only the last decompressor, whose output the array→bytes codec consumes.
   */
  async decodeBytes(bytes: Uint8Array, ctx: CodecContext, rows?: number): Promise<Uint8Array> {
    const needed = this.prefixOf(rows)?.bytes;
    let b = bytes;
    for (let i = this.bytesToBytes.length - 1; i >= 0; i--) {
      const decodedSize = this.sizes[i];
      const wanted = i === 0 ? needed : undefined;
      const scratch = i === 0 ? ctx.scratch : undefined;
      b = await this.bytesToBytes[i]!.decode(b, { ...ctx, scratch, decodedSize, maxDecodedSize: decodedSize ?? this.maxDecodedBytes, neededBytes: wanted });
      const expected = wanted ?? decodedSize;
      if (expected !== undefined && b.byteLength !== expected) {
        throw new CodecError(this.bytesToBytes[i]!.name, ctx.key, `decoded ${b.byteLength} bytes, expected ${expected}`);
      }
    }
    return b;
  }

  /**
   * The second half of `decode`: the array→bytes codec and the array→array codecs, backwards.
   * With `rows` as given to `decodeBytes`: maybe just those rows (the `bytes` codec given only
   * their bytes, or `vlen-utf8` making only their strings).
   */
  async decodeArray(bytes: Uint8Array, ctx: CodecContext, rows?: number): Promise<ChunkData> {
    const spec = this.specs[this.specs.length - 1]!;
    const prefix = this.prefixOf(rows);
    let arr: ChunkData;
    if (prefix?.bytes !== undefined) arr = await this.arrayToBytes.decode(bytes, { ...spec, shape: [rows!, ...spec.shape.slice(1)] }, ctx);
    else arr = await this.arrayToBytes.decode(bytes, spec, { ...ctx, neededElements: prefix?.elements });
    for (let i = this.arrayToArray.length - 1; i >= 0; i--) arr = await this.arrayToArray[i]!.decode(arr, this.specs[i]!, ctx);
    return arr;
  }

  /**
   * How much of a chunk to decode when only its first `rows` rows lie inside the array: the
   * bytes to decompress (the `bytes` codec behind a decompressor that can stop early) or the
   * elements to make (an array→bytes codec that can stop early, `vlen-utf8`); undefined when
   * the whole chunk must be decoded (array→array codecs reorder the elements).
   */
  private prefixOf(rows: number | undefined): { bytes?: number; elements?: number } | undefined {
    const spec = this.specs[0]!;
    const first = spec.shape[0];
    if (rows === undefined || first === undefined || rows >= first || rows < 0 || this.arrayToArray.length > 0) return undefined;
    const full = this.sizes[0];
    if (this.arrayToBytes.name === "bytes" && full !== undefined && this.bytesToBytes[0]?.decodesPrefix === true) return { bytes: (full / first) * rows };
    if (this.arrayToBytes.decodesPrefix === true) return { elements: rows * spec.shape.slice(1).reduce((a, b) => a * b, 1) };
    return undefined;
  }
}
