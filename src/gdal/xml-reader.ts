/**
 * A small streaming XML reader for the files GDAL writes (`.aux.xml`, VRT):
 * text goes in piece by piece, events come out (an element opens, text, an
 * element closes), and memory stays bounded by the largest tag, not by the
 * file. It reads what GDAL's own parser (`CPLParseXMLString`) reads, the way
 * it reads it:
 *
 * - elements, attributes in single or double quotes, self-closing tags;
 * - the five named entities and numeric character references (`&#32;`,
 *   `&#x41;`); `&#0;` is dropped, as GDAL drops it;
 * - CDATA sections as text; comments, processing instructions and a
 *   DOCTYPE without an internal subset are skipped;
 * - raw whitespace at the start of a text node is skipped, as GDAL skips it
 *   (whitespace written as references is kept), and line ends are not
 *   normalised (GDAL keeps a raw CR).
 *
 * Not a general XML parser: no namespaces, no DTDs, no encodings but UTF-8.
 * Malformed input is a `RatZarrError` naming the character offset.
 */
import { RatZarrError } from "../errors.js";

/** One thing the reader found. Text of one node may come as several `text` events. */
export type XmlEvent =
  | { readonly kind: "open"; readonly name: string; readonly attributes: Readonly<Record<string, string>>; readonly selfClosing: boolean }
  | { readonly kind: "close"; readonly name: string }
  | { readonly kind: "text"; readonly text: string };

/** The longest tag, comment or other markup the reader holds in memory while waiting for its end. */
export const MAX_MARKUP_LENGTH = 1 << 20;

const NAMED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const NAME = /^[^\s/>="'<&]+$/;
const ATTRIBUTE = /\s*([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

/** A push parser: `push` text as it arrives, then `end()`; each returns the events completed so far. */
export class XmlReader {
  private buf = "";
  /** Characters consumed before `buf` (for error offsets). */
  private consumed = 0;
  private readonly open: string[] = [];
  private sawRoot = false;
  /** True right after markup: GDAL skips raw whitespace here. */
  private textStart = true;
  private ended = false;

  /** Parse `chunk` (after whatever came before) and return the events it completed. */
  push(chunk: string): XmlEvent[] {
    if (this.ended) throw new RatZarrError("XML: push after end()");
    this.buf += chunk;
    const out: XmlEvent[] = [];
    this.parse(out, false);
    return out;
  }

  /** The input is complete: return the last events; a `RatZarrError` when the document is unfinished. */
  end(): XmlEvent[] {
    if (this.ended) return [];
    const out: XmlEvent[] = [];
    this.parse(out, true);
    this.ended = true;
    if (this.open.length > 0) throw this.error(this.buf.length, `the document ends inside <${this.open[this.open.length - 1]!}>`);
    if (!this.sawRoot) throw this.error(this.buf.length, "no element");
    return out;
  }

  private error(at: number, message: string): RatZarrError {
    return new RatZarrError(`XML at character ${this.consumed + at}: ${message}`);
  }

  private parse(out: XmlEvent[], final: boolean): void {
    const buf = this.buf;
    let pos = 0;
    while (pos < buf.length) {
      if (buf.charCodeAt(pos) !== 0x3c /* < */) {
        const lt = buf.indexOf("<", pos);
        let stop = lt === -1 ? buf.length : lt;
        if (lt === -1 && !final) {
          // Keep an entity that may continue in the next chunk.
          const amp = buf.lastIndexOf("&");
          if (amp >= pos && buf.indexOf(";", amp) === -1) stop = amp;
          if (stop - pos === 0) break;
        }
        this.text(buf.slice(pos, stop), pos, out);
        pos = stop;
        continue;
      }
      const next = this.markup(buf, pos, out, final);
      if (next === -1) break;
      pos = next;
    }
    this.buf = buf.slice(pos);
    this.consumed += pos;
    if (this.buf.length > MAX_MARKUP_LENGTH) throw this.error(0, `markup longer than ${MAX_MARKUP_LENGTH} characters without an end`);
  }

  private text(raw: string, at: number, out: XmlEvent[]): void {
    let s = raw;
    if (this.textStart) {
      s = s.replace(/^[ \t\r\n]+/, "");
      if (s === "") return;
      this.textStart = false;
    }
    if (this.open.length === 0) throw this.error(at, `text outside the root element: ${JSON.stringify(s.slice(0, 20))}`);
    out.push({ kind: "text", text: this.decode(s, at) });
  }

  private decode(s: string, at: number): string {
    if (!s.includes("&")) return s;
    return s.replace(/&([^;&\s]*);?/g, (m, body: string, offset: number) => {
      if (!m.endsWith(";")) throw this.error(at + offset, `"&" that starts no entity (write &amp;)`);
      if (body.startsWith("#")) {
        const code = body[1] === "x" || body[1] === "X" ? (/^#[xX][0-9a-fA-F]{1,6}$/.test(body) ? parseInt(body.slice(2), 16) : NaN) : /^#[0-9]{1,7}$/.test(body) ? Number(body.slice(1)) : NaN;
        if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw this.error(at + offset, `bad character reference ${m}`);
        return code === 0 ? "" : String.fromCodePoint(code);
      }
      const v = NAMED[body];
      if (v === undefined) throw this.error(at + offset, `unknown entity ${m}`);
      return v;
    });
  }

  /** Handle the markup at `pos`; the position after it, or -1 when its end has not arrived yet. */
  private markup(buf: string, pos: number, out: XmlEvent[], final: boolean): number {
    const need = (end: number, what: string): number => {
      if (end !== -1) return end;
      if (final) throw this.error(pos, `unfinished ${what}`);
      return -1;
    };
    const startsAt = (s: string): boolean => buf.startsWith(s, pos);
    // Not enough characters yet to tell a comment or CDATA from a tag.
    if (!final && buf.length - pos < 9 && buf.indexOf(">", pos) === -1) return -1;
    if (startsAt("<!--")) {
      const end = need(buf.indexOf("-->", pos + 4), "comment");
      return end === -1 ? -1 : end + 3;
    }
    if (startsAt("<![CDATA[")) {
      const end = need(buf.indexOf("]]>", pos + 9), "CDATA section");
      if (end === -1) return -1;
      if (this.open.length === 0) throw this.error(pos, "CDATA outside the root element");
      const text = buf.slice(pos + 9, end);
      this.textStart = false;
      if (text !== "") out.push({ kind: "text", text });
      return end + 3;
    }
    if (startsAt("<?")) {
      const end = need(buf.indexOf("?>", pos + 2), "processing instruction");
      return end === -1 ? -1 : end + 2;
    }
    if (startsAt("<!")) {
      const end = need(buf.indexOf(">", pos + 2), "declaration");
      if (end === -1) return -1;
      if (buf.slice(pos, end).includes("[")) throw this.error(pos, "a DOCTYPE with an internal subset is not read");
      return end + 1;
    }
    const end = need(tagEnd(buf, pos), "tag");
    if (end === -1) return -1;
    this.tag(buf.slice(pos + 1, end), pos, out);
    this.textStart = true;
    return end + 1;
  }

  private tag(body: string, at: number, out: XmlEvent[]): void {
    if (body.startsWith("/")) {
      const name = body.slice(1).trim();
      const top = this.open.pop();
      if (top !== name) throw this.error(at, top === undefined ? `</${name}> closes nothing` : `</${name}> closes <${top}>`);
      out.push({ kind: "close", name });
      return;
    }
    const selfClosing = body.endsWith("/");
    const inner = selfClosing ? body.slice(0, -1) : body;
    const nameEnd = inner.search(/[\s]|$/);
    const name = inner.slice(0, nameEnd);
    if (!NAME.test(name)) throw this.error(at, `bad element name ${JSON.stringify(name.slice(0, 40))}`);
    if (this.open.length === 0 && this.sawRoot) throw this.error(at, `a second root element <${name}>`);
    const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
    ATTRIBUTE.lastIndex = nameEnd;
    let last = nameEnd;
    for (let m = ATTRIBUTE.exec(inner); m !== null; m = ATTRIBUTE.exec(inner)) {
      const key = m[1]!;
      if (Object.hasOwn(attributes, key)) throw this.error(at, `<${name}> has attribute ${key} twice`);
      attributes[key] = this.decode(m[2] ?? m[3] ?? "", at);
      last = ATTRIBUTE.lastIndex;
    }
    if (inner.slice(last).trim() !== "") throw this.error(at, `<${name}>: cannot read ${JSON.stringify(inner.slice(last).trim().slice(0, 40))}`);
    this.sawRoot = true;
    out.push({ kind: "open", name, attributes, selfClosing });
    if (selfClosing) out.push({ kind: "close", name });
    else this.open.push(name);
  }
}

/** The index of the `>` that ends the tag at `pos` (quotes respected), or -1. */
function tagEnd(buf: string, pos: number): number {
  let quote = 0;
  for (let i = pos + 1; i < buf.length; i++) {
    const c = buf.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return i;
    }
  }
  return -1;
}

/** Bytes or text, given whole or as an (async) iterable of pieces: what `importAuxXml` reads. */
export type XmlSource = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/** The text of `source` piece by piece, UTF-8 decoded across piece boundaries (a bad byte sequence is an error). */
export async function* textPieces(source: XmlSource): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const piece = (p: string | Uint8Array): string => {
    if (typeof p === "string") return p;
    if (!(p instanceof Uint8Array)) throw new RatZarrError(`XML source: pieces must be strings or Uint8Arrays, got ${typeof p}`, { code: "type" });
    try {
      return decoder.decode(p, { stream: true });
    } catch (e) {
      throw new RatZarrError("XML source: not valid UTF-8", { cause: e });
    }
  };
  if (typeof source === "string" || source instanceof Uint8Array) {
    yield piece(source);
  } else {
    for await (const p of source as AsyncIterable<string | Uint8Array>) yield piece(p);
  }
  try {
    const rest = decoder.decode();
    if (rest !== "") yield rest;
  } catch (e) {
    throw new RatZarrError("XML source: ends inside a UTF-8 character", { cause: e });
  }
}
