/**
 * The second opinions of the format tests: a short Python program run in a
 * pinned environment (zarr-python 3.1.6, spec-tests/requirements.txt, by
 * default; zarr-python 3.4.x, spec-tests/requirements-zarr34.txt). It reads
 * its input as JSON on stdin (`inp`) and prints its answer as one JSON line
 * (`out(...)`); JSON both ways goes through ratzarr's tolerant parser and
 * Python-style writer, so NaN and big integers travel as themselves.
 *
 * A test about interchange runs once per zarr-python of `zarrPythons()`,
 * its title ending `[zarr-python X]`.
 */
import { execFileSync } from "node:child_process";
import type { JsonValue } from "../../src/codecs/codec.js";
import { type JsonWritable, parseJson, stringifyJson } from "../../src/format/json.js";
import { ensurePythonEnv, MAIN_ZARR_PYTHON, type ZarrPython, zarrPythons } from "../harness/python.js";

export { zarrPythons, type ZarrPython };

const PRELUDE = `
import json, sys, os
import numpy as np
import zarr
from zarr.storage import LocalStore
inp = json.loads(sys.stdin.read())
def out(v):
    print(json.dumps(v))
`;

/** Run `code` (after the prelude) with `input` in the environment of `zarr` (default 3.1.6); its last printed line, parsed (null when it prints nothing). A Python error fails the test with its traceback. */
export function python(code: string, input: JsonWritable = null, zarr: ZarrPython = MAIN_ZARR_PYTHON): JsonValue {
  const bin = ensurePythonEnv(zarr);
  const text = execFileSync(bin, ["-c", PRELUDE + code], {
    input: stringifyJson(input, 0),
    encoding: "utf8",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  const last = text.trim().split("\n").pop() ?? "";
  return last === "" ? null : parseJson(last, "python output");
}

/** `python` bound to one environment. */
export function pythonOf(zarr: ZarrPython): (code: string, input?: JsonWritable) => JsonValue {
  return (code, input = null) => python(code, input, zarr);
}

/** The zarr-python version an environment runs (asked of Python itself). */
export function zarrVersion(zarr: ZarrPython = MAIN_ZARR_PYTHON): string {
  return python("out(zarr.__version__)", null, zarr) as string;
}
