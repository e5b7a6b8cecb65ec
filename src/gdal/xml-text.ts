/**
 * Text and attribute values escaped for GDAL's XML files, so that GDAL's own
 * parser (`CPLParseXMLString`) reads back exactly the string written.
 *
 * What GDAL's writer does not do and this one must: GDAL's parser drops raw
 * whitespace at the start of a text node and raw control characters, but it
 * decodes character references (`&#32;`, `&#1;`, `&#x41;`) as written. So
 * leading whitespace and every control character are written as references.
 * NUL cannot be held at all (GDAL strings are C strings): the caller warns.
 */

const NAMED: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

// Characters that need escaping anywhere: markup, and controls below U+0020 (tab, newline and CR included:
// XML parsers normalise them in attributes and GDAL's drops raw ones at the start of text).
const SPECIAL = /[&<>"\u0000-\u001f]/;

function reference(c: string): string {
  return NAMED[c] ?? `&#${c.charCodeAt(0)};`;
}

/** `s` as XML element text (or an attribute value: quotes are escaped too); NUL characters are dropped. */
export function escapeXml(s: string): string {
  let out = s;
  if (SPECIAL.test(out)) out = out.replace(/[&<>"\u0000-\u001f]/g, (c) => (c === "\u0000" ? "" : reference(c)));
  // Leading spaces (the controls are references already): GDAL's parser would skip them.
  if (out.charCodeAt(0) === 0x20) out = out.replace(/^ +/, (m) => "&#32;".repeat(m.length));
  return out;
}

/** A number as GDAL writes and reads a Real: shortest round-trip form; "nan", "inf", "-inf" as C's printf; "-0" kept. */
export function formatReal(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}
