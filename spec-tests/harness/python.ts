/**
 * The TypeScript end of the conformance harness: starts a pinned Python
 * environment (scripts/python-env.sh creates .venv, zarr-python 3.1.6;
 * scripts/python-env-zarr34.sh .venv-zarr34, zarr-python 3.4.x) and the
 * helper spec-tests/python/ratzarr_helper.py, and sends it JSON commands.
 * JSON goes through ratzarr's own tolerant parser and Python-style writer,
 * so NaN, Infinity and 64-bit integers travel as themselves.
 */
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Test } from "uvu";
import { createInterface } from "node:readline";
import { join } from "node:path";
import type { JsonValue, JsonObject } from "../../src/codecs/codec.js";
import { parseJson, stringifyJson, type JsonWritable } from "../../src/format/json.js";

const root = join(import.meta.dirname, "../..");

/**
 * One pinned zarr-python environment: the second opinion of the interchange
 * tests. `version` is the zarr pin of its requirements file (for test titles,
 * known without starting Python).
 */
export interface ZarrPython {
  readonly version: string;
  /** The venv, relative to the repository root. */
  readonly venv: string;
  /** The script that makes the venv (idempotent, quiet when it is right). */
  readonly script: string;
  readonly requirements: string;
}

function zarrPin(requirements: string): string {
  const m = /^zarr==(\S+)\s*$/m.exec(readFileSync(join(root, requirements), "utf8"));
  if (m === null) throw new Error(`${requirements} pins no zarr==X`);
  return m[1]!;
}

const MAIN: ZarrPython = { version: zarrPin("spec-tests/requirements.txt"), venv: ".venv", script: "scripts/python-env.sh", requirements: "spec-tests/requirements.txt" };
const ZARR34: ZarrPython = { version: zarrPin("spec-tests/requirements-zarr34.txt"), venv: ".venv-zarr34", script: "scripts/python-env-zarr34.sh", requirements: "spec-tests/requirements-zarr34.txt" };

/** The default environment: zarr-python 3.1.6 (spec-tests/requirements.txt, `.venv`), on Python 3.11+. */
export const MAIN_ZARR_PYTHON = MAIN;
/** The second: zarr-python 3.4.x and tensorstore (spec-tests/requirements-zarr34.txt, `.venv-zarr34`), on pyenv's Python 3.13 or 3.12. */
export const ZARR34_PYTHON = ZARR34;

const ready = new Map<ZarrPython, string | undefined>();

/**
 * Make sure the venv of `zarr` holds its pinned packages (quiet when it
 * already does); its Python. The one place the test suites run
 * scripts/python-env.sh and scripts/python-env-zarr34.sh. The 3.4 one, when
 * this machine has no Python 3.12+, writes why to .runtimes/zarr34.missing
 * (outside CI; with CI=true it fails): then this answers undefined.
 */
export function pythonEnv(zarr: ZarrPython = MAIN): string | undefined {
  if (!ready.has(zarr)) {
    execFileSync("bash", [join(root, zarr.script)], { stdio: ["ignore", "inherit", "inherit"] });
    const missing = zarr === ZARR34 && existsSync(join(root, ".runtimes/zarr34.missing"));
    ready.set(zarr, missing ? undefined : join(root, zarr.venv, "bin/python"));
  }
  return ready.get(zarr);
}

/** Make sure the venv of `zarr` (default: .venv, zarr-python 3.1.6) holds its pinned packages (quiet when it already does); its Python. Throws when it cannot be had here. */
export function ensurePythonEnv(zarr: ZarrPython = MAIN): string {
  const py = pythonEnv(zarr);
  if (py === undefined) throw new Error(`zarr-python ${zarr.version} is not available here: ${missingReason()}`);
  return py;
}

function missingReason(): string {
  const f = join(root, ".runtimes/zarr34.missing");
  return existsSync(f) ? readFileSync(f, "utf8").trim() : "unknown";
}

let toldMissing = false;
const printed = new Set<ZarrPython>();

/**
 * The zarr-python versions the interchange tests run against, in order:
 * 3.1.6 (.venv), then 3.4.x (.venv-zarr34). One that cannot be had here
 * (no Python 3.12+, outside CI) is left out, and the first call says why.
 */
export function zarrPythons(): ZarrPython[] {
  const out = [MAIN];
  if (pythonEnv(ZARR34) !== undefined) out.push(ZARR34);
  else if (!toldMissing) {
    toldMissing = true;
    console.log(`zarr-python ${ZARR34.version} checks skipped: ${missingReason()}`);
  }
  return out;
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

  /** Start a helper in the environment of `zarr` (default 3.1.6); the first one of a run per version prints the zarr-python and numcodecs versions. */
  static async start(zarr: ZarrPython = MAIN): Promise<PythonHelper> {
    const python = ensurePythonEnv(zarr);
    const proc = spawn(python, [join(root, "spec-tests/python/ratzarr_helper.py")], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
    const helper = new PythonHelper(proc);
    const v = (await helper.send("versions")) as JsonObject;
    if (!printed.has(zarr)) {
      printed.add(zarr);
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
export function pythonSession(t: Test, label: string, zarr: ZarrPython = MAIN): { readonly py: PythonHelper; readonly work: string } {
  let py: PythonHelper | undefined;
  let work: string | undefined;
  t.before(async () => {
    py = await PythonHelper.start(zarr);
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
