/**
 * The TypeScript end of the conformance harness: starts the pinned Python
 * environment (scripts/python-env.sh creates .venv when missing) and the
 * helper spec-tests/python/ratzarr_helper.py, and sends it JSON commands.
 * JSON goes through ratzarr's own tolerant parser and Python-style writer,
 * so NaN, Infinity and 64-bit integers travel as themselves.
 */
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Test } from "uvu";
import { createInterface } from "node:readline";
import { join } from "node:path";
import type { JsonValue, JsonObject } from "../../src/codecs/codec.js";
import { parseJson, stringifyJson, type JsonWritable } from "../../src/format/json.js";

const root = join(import.meta.dirname, "../..");
let envReady = false;
let printed = false;

/** Make sure .venv holds the pinned packages (quiet when it already does). */
export function ensurePythonEnv(): string {
  if (!envReady) {
    execFileSync("bash", [join(root, "scripts/python-env.sh")], { stdio: ["ignore", "inherit", "inherit"] });
    envReady = true;
  }
  return join(root, ".venv/bin/python");
}

/** A Python error, with its traceback. */
export class PythonError extends Error {
  override name = "PythonError";
  constructor(message: string, readonly traceback: string) {
    super(message);
  }
}

/** One running helper process. */
export class PythonHelper {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: JsonValue) => void; reject: (e: Error) => void }>();
  private stderr = "";

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on("line", (line) => {
      const msg = parseJson(line, "python helper") as JsonObject;
      const waiter = this.pending.get(msg["id"] as number);
      if (waiter === undefined) return;
      this.pending.delete(msg["id"] as number);
      if (msg["ok"] === true) waiter.resolve(msg["result"] ?? null);
      else waiter.reject(new PythonError(String(msg["error"]), String(msg["traceback"])));
    });
    proc.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    proc.on("exit", (code) => {
      for (const w of this.pending.values()) w.reject(new Error(`python helper exited with ${code}: ${this.stderr}`));
      this.pending.clear();
    });
  }

  /** Start a helper; the first one of a run prints the zarr-python and numcodecs versions. */
  static async start(): Promise<PythonHelper> {
    const python = ensurePythonEnv();
    const proc = spawn(python, [join(root, "spec-tests/python/ratzarr_helper.py")], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
    const helper = new PythonHelper(proc);
    const v = (await helper.send("versions")) as JsonObject;
    if (!printed) {
      printed = true;
      console.log(`  conformance: zarr-python ${v["zarr"]}, numcodecs ${v["numcodecs"]}, numpy ${v["numpy"]}, Python ${v["python"]}`);
    }
    return helper;
  }

  /** Send one command; resolves with its result, rejects with a `PythonError`. */
  send(cmd: string, payload: { [key: string]: JsonWritable } = {}): Promise<JsonValue> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.stdin.write(stringifyJson({ id, cmd, ...payload }, 0).replace(/\n/g, "") + "\n");
    });
  }

  /** Open a RAT the way Python ratzarr does; returns a handle for `call`. */
  async open(path: string, options: { readOnly?: boolean; create?: boolean; user?: string; argv?: string[]; s3?: S3Target } = {}): Promise<PyRat> {
    const handle = (await this.send("open", { path, ...options })) as number;
    return new PyRat(this, handle);
  }

  /** Everything a Python user sees in the RAT at `path`. */
  async dump(path: string, s3?: S3Target): Promise<RatDump> {
    return (await this.send("dump", { path, ...(s3 === undefined ? {} : { s3 }) })) as unknown as RatDump;
  }

  async close(): Promise<void> {
    await this.send("shutdown").catch(() => undefined);
    this.proc.stdin.end();
  }
}

/** An S3 test server, for Python to reach an s3:// path through fsspec/s3fs. */
export interface S3Target {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly [key: string]: string;
}

export interface RatDump {
  attributes: JsonObject;
  columns: Record<string, { dtype: string; shape: number[]; chunks: number[]; attributes: JsonObject; values: JsonValue[] }>;
}

/** A Python ratzarr handle inside the helper. */
export class PyRat {
  constructor(private readonly helper: PythonHelper, readonly handle: number) {}
  call(method: string, ...args: JsonWritable[]): Promise<JsonValue> {
    return this.helper.send("call", { handle: this.handle, method, args });
  }
  close(): Promise<JsonValue> {
    return this.helper.send("close", { handle: this.handle });
  }
}

/** A Python helper and a temporary folder for one suite: started before its tests, stopped and removed after. Read them inside tests. */
export function pythonSession(t: Test, label: string): { readonly py: PythonHelper; readonly work: string } {
  let py: PythonHelper | undefined;
  let work: string | undefined;
  t.before(async () => {
    py = await PythonHelper.start();
    work = mkdtempSync(join(tmpdir(), `ratzarr-${label}-`));
  });
  t.after(async () => {
    await py?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });
  return {
    get py() {
      if (py === undefined) throw new Error("the Python session starts in the suite's before hook");
      return py;
    },
    get work() {
      if (work === undefined) throw new Error("the Python session starts in the suite's before hook");
      return work;
    },
  };
}
