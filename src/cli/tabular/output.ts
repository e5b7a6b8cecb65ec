/**
 * Where `export` writes: a file, written as `FILE.tmp-XXXXXX` next to it and
 * renamed over FILE only once complete (so a failure or Ctrl-C never leaves
 * a half-written FILE, and the temporary file is removed), or standard
 * output (`-o -`, text formats only).
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { RatZarrError } from "../../errors.js";

/** Bytes going out, in order; `bytes` counts what was written. */
export interface ByteSink {
  write(data: string | Uint8Array): Promise<void>;
  readonly bytes: number;
}

/** A file being written under a temporary name: `commit` renames it into place, `abort` removes it. */
export class FileOutput implements ByteSink {
  bytes = 0;
  private constructor(private readonly handle: FileHandle, readonly tmp: string, readonly path: string) {}

  /** Start writing `path` (through `path.tmp-XXXXXX` in the same folder, so the rename stays on one file system). */
  static async create(path: string): Promise<FileOutput> {
    const tmp = join(dirname(path), `${basename(path)}.tmp-${randomBytes(6).toString("hex")}`);
    const handle = await open(tmp, "wx").catch((e: unknown) => {
      throw new RatZarrError(`"${path}": cannot write there (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
    });
    return new FileOutput(handle, tmp, path);
  }

  /** The write in flight: one at a time, while the caller makes the next block. */
  private writing: Promise<void> = Promise.resolve();

  /** Queue `data`; resolves once the previous write is done (so at most two blocks are held). */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    this.bytes += bytes.byteLength;
    const previous = this.writing;
    this.writing = previous.then(async () => {
      let done = 0;
      while (done < bytes.byteLength) done += (await this.handle.write(bytes, done, bytes.byteLength - done)).bytesWritten;
    });
    this.writing.catch(() => undefined);
    await previous;
  }

  /** Finish writing, close the file and move it to its name. */
  async commit(): Promise<void> {
    await this.writing;
    await this.handle.close();
    await rename(this.tmp, this.path);
  }

  /** Close and remove the temporary file (errors ignored: this runs while another error is thrown). */
  async abort(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await rm(this.tmp, { force: true }).catch(() => undefined);
  }
}

/** Standard output as a sink (the command's `out`, so tests can capture it). */
export function textOutput(out: (text: string) => void): ByteSink {
  const sink = {
    bytes: 0,
    async write(data: string | Uint8Array): Promise<void> {
      const text = typeof data === "string" ? data : new TextDecoder().decode(data);
      sink.bytes += Buffer.byteLength(text, "utf8");
      out(text);
    },
  };
  return sink;
}
