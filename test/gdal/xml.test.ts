/** The streaming XML reader and the escaping of src/gdal (no GDAL needed). */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RatZarrError } from "../../src/errors.js";
import { textPieces, type XmlEvent, XmlReader } from "../../src/gdal/xml-reader.js";
import { escapeXml, formatReal } from "../../src/gdal/xml-text.js";

const t = suite("gdal: XML reader and escaping");

/** Events of `text` pushed in pieces of `size` characters, adjacent text events merged. */
function read(text: string, size = text.length): XmlEvent[] {
  const r = new XmlReader();
  const events: XmlEvent[] = [];
  for (let i = 0; i < text.length; i += Math.max(1, size)) events.push(...r.push(text.slice(i, i + size)));
  events.push(...r.end());
  const merged: XmlEvent[] = [];
  for (const e of events) {
    const last = merged[merged.length - 1];
    if (e.kind === "text" && last?.kind === "text") merged[merged.length - 1] = { kind: "text", text: last.text + e.text };
    else merged.push(e);
  }
  return merged;
}

const doc = `<?xml version="1.0"?>
<!-- a comment with <tags> & ampersands -->
<PAMDataset>
  <PAMRasterBand band="1">
    <GDALRasterAttributeTable Row0Min="-0.5" BinSize='1' tableType="thematic">
      <Row index="0"><F>  lead</F><F>&#32;&#32;kept</F><F>a&amp;b&lt;&gt;&quot;&apos;&#x41;&#10;&#0;z</F><F/><F><![CDATA[ raw <x> & ]]></F><F>tail  </F><F>cr\r\nlf</F></Row>
    </GDALRasterAttributeTable>
  </PAMRasterBand>
</PAMDataset>
`;

const expected: XmlEvent[] = [
  { kind: "open", name: "PAMDataset", attributes: {}, selfClosing: false },
  { kind: "open", name: "PAMRasterBand", attributes: { band: "1" }, selfClosing: false },
  { kind: "open", name: "GDALRasterAttributeTable", attributes: { Row0Min: "-0.5", BinSize: "1", tableType: "thematic" }, selfClosing: false },
  { kind: "open", name: "Row", attributes: { index: "0" }, selfClosing: false },
  { kind: "open", name: "F", attributes: {}, selfClosing: false }, { kind: "text", text: "lead" }, { kind: "close", name: "F" },
  { kind: "open", name: "F", attributes: {}, selfClosing: false }, { kind: "text", text: "  kept" }, { kind: "close", name: "F" },
  { kind: "open", name: "F", attributes: {}, selfClosing: false }, { kind: "text", text: "a&b<>\"'A\nz" }, { kind: "close", name: "F" },
  { kind: "open", name: "F", attributes: {}, selfClosing: true }, { kind: "close", name: "F" },
  { kind: "open", name: "F", attributes: {}, selfClosing: false }, { kind: "text", text: " raw <x> & " }, { kind: "close", name: "F" },
  { kind: "open", name: "F", attributes: {}, selfClosing: false }, { kind: "text", text: "tail  " }, { kind: "close", name: "F" },
  { kind: "open", name: "F", attributes: {}, selfClosing: false }, { kind: "text", text: "cr\r\nlf" }, { kind: "close", name: "F" },
  { kind: "close", name: "Row" },
  { kind: "close", name: "GDALRasterAttributeTable" },
  { kind: "close", name: "PAMRasterBand" },
  { kind: "close", name: "PAMDataset" },
];

const plain = (events: XmlEvent[]) => events.map((e) => (e.kind === "open" ? { ...e, attributes: { ...e.attributes } } : e));

t("reads GDAL's shape as GDAL's parser does: entities, references, CDATA, leading raw whitespace skipped, CR kept", () => {
  assert.equal(plain(read(doc)), expected);
});

t("the same events whatever the pieces the text arrives in (every size from 1 character)", () => {
  for (let size = 1; size <= 40; size++) assert.equal(plain(read(doc, size)), expected, `pieces of ${size}`);
});

t("malformed input: errors name the offset and the problem", () => {
  const cases: [string, RegExp][] = [
    ["<a><b></a>", /character 6: <\/a> closes <b>/],
    ["<a>", /ends inside <a>/],
    ["<a/><b/>", /a second root element <b>/],
    ["<a>x &nope; y</a>", /unknown entity &nope;/],
    ["<a>x & y</a>", /"&" that starts no entity/],
    ["<a>&#xD800;</a>", /bad character reference/],
    ["<a b='1' b='2'/>", /attribute b twice/],
    ["<a b=1/>", /cannot read "b=1"/],
    ["", /no element/],
    ["text<a/>", /text outside the root element/],
    ["<!DOCTYPE a [<!ENTITY x 'y'>]><a/>", /internal subset is not read/],
    ["<a><!-- never ends </a>", /unfinished comment/],
    ["</a>", /closes nothing/],
  ];
  for (const [text, re] of cases) {
    for (const size of [1, 3, text.length || 1]) {
      try {
        read(text, size);
      } catch (e) {
        assert.instance(e, RatZarrError);
        assert.match((e as Error).message, re, `${JSON.stringify(text)} in pieces of ${size}`);
        continue;
      }
      assert.unreachable(`${JSON.stringify(text)} in pieces of ${size} was accepted`);
    }
  }
});

t("a huge text node streams in pieces without holding the whole node", () => {
  const r = new XmlReader();
  r.push("<F>");
  let got = 0;
  for (let i = 0; i < 100; i++) {
    for (const e of r.push("x".repeat(100_000))) if (e.kind === "text") got += e.text.length;
  }
  for (const e of [...r.push("</F>"), ...r.end()]) if (e.kind === "text") got += e.text.length;
  assert.is(got, 10_000_000);
});

t("a tag that never ends is refused once it passes the bound", () => {
  const r = new XmlReader();
  r.push("<a ");
  assert.throws(() => { for (let i = 0; i < 30; i++) r.push(`x${i}="${"y".repeat(50_000)}" `); }, /markup longer than 1048576 characters/);
});

t("textPieces: UTF-8 split inside a character, subarray views, BOM; bad bytes refused", async () => {
  const bytes = new TextEncoder().encode("\uFEFF<a>日本😀</a>");
  const big = new Uint8Array(bytes.length + 10);
  big.set(bytes, 5);
  const view = big.subarray(5, 5 + bytes.length);
  for (let cut = 1; cut < bytes.length; cut++) {
    let text = "";
    for await (const p of textPieces([view.subarray(0, cut), view.subarray(cut)])) text += p;
    assert.is(text, "<a>日本😀</a>", `cut at ${cut}`);
  }
  let failed = false;
  try {
    for await (const _ of textPieces(Uint8Array.of(0x3c, 0xff))) void _;
  } catch (e) {
    failed = (e as Error).message.includes("not valid UTF-8");
  }
  assert.ok(failed);
  failed = false;
  try {
    for await (const _ of textPieces([Uint8Array.of(0x3c, 0xe6)])) void _;
  } catch (e) {
    failed = (e as Error).message.includes("ends inside a UTF-8 character");
  }
  assert.ok(failed);
});

t("escapeXml: markup, controls and leading spaces as references; NUL dropped; the reader reads it back", () => {
  assert.is(escapeXml("plain é"), "plain é");
  assert.is(escapeXml('a<b>&"c\''), "a&lt;b&gt;&amp;&quot;c'");
  assert.is(escapeXml("  x  "), "&#32;&#32;x  ");
  assert.is(escapeXml("\tx\n\r\u0001"), "&#9;x&#10;&#13;&#1;");
  assert.is(escapeXml("a\u0000b"), "ab");
  for (const s of ["  lead", "\n\nx", "a\r\nb", "\u0001\u001f", "<&>", "日本 😀", " ", "\t"]) {
    const events = read(`<F>${escapeXml(s)}</F>`);
    assert.is(events.filter((e) => e.kind === "text").map((e) => (e as { text: string }).text).join(""), s, JSON.stringify(s));
  }
});

t("formatReal: shortest round trip; C's nan/inf spelling; -0", () => {
  assert.is(formatReal(0.1), "0.1");
  assert.is(formatReal(0.30000000000000004), "0.30000000000000004");
  assert.is(formatReal(1e300), "1e+300");
  assert.is(formatReal(5e-324), "5e-324");
  assert.is(formatReal(NaN), "nan");
  assert.is(formatReal(-Infinity), "-inf");
  assert.is(formatReal(Infinity), "inf");
  assert.is(formatReal(-0), "-0");
});

t.run();
