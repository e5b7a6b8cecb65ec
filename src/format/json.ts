/**
 * JSON as `zarr.json` needs it. Reading is tolerant where zarr-python is:
 * bare `NaN`/`Infinity`/`-Infinity` tokens, and integers beyond 2^53 kept
 * exact as `bigint`. Writing reproduces Python's
 * `json.dumps(d, indent=2, allow_nan=True)` byte for byte: key order kept,
 * non-ASCII escaped as `\uXXXX`, floats in Python's `repr` form. Both refuse
 * documents nested deeper than `MAX_JSON_DEPTH` levels, so that a hostile
 * file is an error rather than a stack overflow, and what is written can be read.
 */
import type { JsonObject, JsonValue } from "../codecs/codec.js";
import { MetadataError, RatZarrError, showValue } from "../errors.js";

/**
 * How deeply arrays and objects may nest in a document read or written (the document itself
 * is level 1, its `attributes` level 2). Python's json stops near 1000 too (its recursion
 * limit), and 1000 levels use a quarter of the smallest stack the parser meets (Node's ~1 MB).
 */
export const MAX_JSON_DEPTH = 1000;

/** A number that must be written as a Python float (`0.0`, not `0`). */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/** Anything `stringifyJson` writes. */
export type JsonWritable = JsonValue | JsonFloat | undefined | readonly JsonWritable[] | { readonly [key: string]: JsonWritable };

/** Parse JSON text from the store key `file`; errors (including nesting past `MAX_JSON_DEPTH`) name the file and the character offset. */
export function parseJson(text: string, file: string): JsonValue {
  const p = new Parser(text, file);
  p.space();
  const value = p.value();
  p.space();
  if (p.pos !== text.length) p.fail("unexpected text after the JSON value");
  return value;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

class Parser {
  pos = 0;
  /** Arrays and objects open around `pos`. */
  private depth = 0;
  constructor(private readonly s: string, private readonly file: string) {}

  fail(message: string): never {
    throw new MetadataError(this.file, undefined, `invalid JSON at offset ${this.pos}: ${message}`);
  }

  /** Enter one more array or object. */
  private enter(): void {
    if (++this.depth > MAX_JSON_DEPTH) {
      throw new MetadataError(this.file, undefined, `JSON nested deeper than ${MAX_JSON_DEPTH} levels at offset ${this.pos} (the most this library reads or writes)`);
    }
  }

  space(): void {
    while (this.pos < this.s.length && WS.has(this.s.charCodeAt(this.pos))) this.pos++;
  }

  private literal(word: string): boolean {
    if (this.s.startsWith(word, this.pos)) {
      this.pos += word.length;
      return true;
    }
    return false;
  }

  value(): JsonValue {
    const c = this.s[this.pos];
    switch (c) {
      case "{": return this.object();
      case "[": return this.array();
      case '"': return this.string();
      case "t": if (this.literal("true")) return true; break;
      case "f": if (this.literal("false")) return false; break;
      case "n": if (this.literal("null")) return null; break;
      case "N": if (this.literal("NaN")) return NaN; break;
      case "I": if (this.literal("Infinity")) return Infinity; break;
      case "-": if (this.literal("-Infinity")) return -Infinity; return this.number();
      case undefined: this.fail("unexpected end of text");
      default: if (c >= "0" && c <= "9") return this.number();
    }
    return this.fail(`unexpected character ${showValue(c)}`);
  }

  private object(): JsonObject {
    const out: JsonObject = {};
    this.enter();
    this.pos++;
    this.space();
    if (this.s[this.pos] === "}") {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.space();
      if (this.s[this.pos] !== '"') this.fail("expected a string key");
      const key = this.string();
      this.space();
      if (this.s[this.pos] !== ":") this.fail('expected ":"');
      this.pos++;
      this.space();
      // defineProperty, not assignment: a key "__proto__" must stay data.
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.space();
      const sep = this.s[this.pos++];
      if (sep === "}") {
        this.depth--;
        return out;
      }
      if (sep !== ",") { this.pos--; this.fail('expected "," or "}"'); }
    }
  }

  private array(): JsonValue[] {
    const out: JsonValue[] = [];
    this.enter();
    this.pos++;
    this.space();
    if (this.s[this.pos] === "]") {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.space();
      out.push(this.value());
      this.space();
      const sep = this.s[this.pos++];
      if (sep === "]") {
        this.depth--;
        return out;
      }
      if (sep !== ",") { this.pos--; this.fail('expected "," or "]"'); }
    }
  }

  private string(): string {
    const start = ++this.pos;
    // Fast path: no escapes.
    const end = this.s.indexOf('"', start);
    if (end < 0) this.fail("unterminated string");
    const slice = this.s.slice(start, end);
    if (!slice.includes("\\")) {
      if (/[\u0000-\u001f]/.test(slice)) this.fail("control character in string");
      this.pos = end + 1;
      return slice;
    }
    let out = "";
    for (;;) {
      const ch = this.s[this.pos];
      if (ch === undefined) this.fail("unterminated string");
      if (ch === '"') { this.pos++; return out; }
      if (ch === "\\") {
        const e = this.s[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case '"': out += '"'; break;
          case "\\": out += "\\"; break;
          case "/": out += "/"; break;
          case "b": out += "\b"; break;
          case "f": out += "\f"; break;
          case "n": out += "\n"; break;
          case "r": out += "\r"; break;
          case "t": out += "\t"; break;
          case "u": {
            const hex = this.s.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape");
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          default: this.pos -= 2; this.fail("bad escape");
        }
      } else {
        if (ch < " ") this.fail("control character in string");
        out += ch;
        this.pos++;
      }
    }
  }

  private number(): number | bigint {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (m === null) this.fail("bad number");
    const token = m[0];
    this.pos += token.length;
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(token);
      // Integers past 2^53 stay exact (int64/uint64 fill values, big attributes).
      return Number.isSafeInteger(n) ? n : BigInt(token);
    }
    return Number(token);
  }
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const sign = neg ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
}

function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else out += "\\u" + c.toString(16).padStart(4, "0");
  }
  return out + '"';
}

/**
 * Write `value` as Python's `json.dumps(value, indent=2, allow_nan=True)` does; `undefined`
 * object members are left out, `undefined` array elements and holes are written as null. A value nested deeper than `MAX_JSON_DEPTH` levels is a
 * `RatZarrError` naming where (the reader would refuse it).
 */
export function stringifyJson(value: JsonWritable, indent = 2): string {
  return write(value, "", " ".repeat(indent), []);
}

/** `path`: the keys and indices from the top to `v`, for the error about nesting. */
function write(v: JsonWritable, pad: string, step: string, path: (string | number)[]): string {
  if (v === null || v === undefined) return "null";
  if (v instanceof JsonFloat) return pythonFloat(v.value);
  switch (typeof v) {
    case "boolean": return v ? "true" : "false";
    case "bigint": return v.toString();
    // A safe integer was a Python int; anything else (1e22 included) was a float,
    // since integers past 2^53 are read as bigint.
    case "number": return Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : pythonFloat(v);
    case "string": return quote(v);
  }
  if (path.length >= MAX_JSON_DEPTH) {
    const where = path.slice(0, 8).map((p) => (typeof p === "number" ? String(p) : showValue(p, 40))).join(" → ");
    throw new RatZarrError(`cannot write JSON nested deeper than ${MAX_JSON_DEPTH} levels (the most this library reads), under ${where} → …`);
  }
  const inner = pad + step;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    // An index loop, not map: a hole in a sparse array is written as null (as JSON.stringify does), never left out.
    const parts: string[] = [];
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      parts.push(inner + write(v[i] as JsonWritable, inner, step, path));
      path.pop();
    }
    return "[\n" + parts.join(",\n") + "\n" + pad + "]";
  }
  const entries = Object.entries(v as { [key: string]: JsonWritable }).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return "{}";
  const parts = entries.map(([k, x]) => {
    path.push(k);
    const text = `${inner}${quote(k)}: ${write(x, inner, step, path)}`;
    path.pop();
    return text;
  });
  return "{\n" + parts.join(",\n") + "\n" + pad + "}";
}
