/**
 * The second opinion of the format tests: a short Python program run in the
 * pinned environment (zarr-python 3.1.6, spec-tests/requirements.txt). It
 * reads its input as JSON on stdin (`inp`) and prints its answer as one JSON
 * line (`out(...)`); JSON both ways goes through ratzarr's tolerant parser
 * and Python-style writer, so NaN and big integers travel as themselves.
 */
import { execFileSync } from "node:child_process";
import type { JsonValue } from "../../src/codecs/codec.js";
import { type JsonWritable, parseJson, stringifyJson } from "../../src/format/json.js";
import { ensurePythonEnv } from "../harness/python.js";

const PRELUDE = `
import json, sys, os
import numpy as np
import zarr
from zarr.storage import LocalStore
inp = json.loads(sys.stdin.read())
def out(v):
    print(json.dumps(v))
`;

/** Run `code` (after the prelude) with `input`; its last printed line, parsed (null when it prints nothing). A Python error fails the test with its traceback. */
export function python(code: string, input: JsonWritable = null): JsonValue {
  const bin = ensurePythonEnv();
  const text = execFileSync(bin, ["-c", PRELUDE + code], {
    input: stringifyJson(input, 0),
    encoding: "utf8",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  const last = text.trim().split("\n").pop() ?? "";
  return last === "" ? null : parseJson(last, "python output");
}

/** The zarr-python version the runner uses. */
export function zarrVersion(): string {
  return python("out(zarr.__version__)") as string;
}
