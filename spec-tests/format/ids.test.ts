/**
 * The cross-check of docs/FORMAT.md against the tests: every statement
 * (a line starting `**F-x.y**`) is named by at least one test title under
 * test/ or spec-tests/, every id a title names is a statement, every id the
 * document mentions is a statement, and the counts in the document's header
 * ("N statements, each checked by at least one of M tests") are the
 * numbers found now. M counts test titles (as written in the sources) that
 * name at least one id.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "../..");
const DOC = join(root, "docs/FORMAT.md");
const ID = /F-\d+\.\d+/g;

/** Statement ids defined in the document, in order, and every id it mentions. */
export function documentIds(text: string): { defined: string[]; mentioned: Set<string>; header: { statements: number; tests: number } | undefined } {
  const defined: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\*\*(F-\d+\.\d+)\*\*/.exec(line);
    if (m !== null) defined.push(m[1]!);
  }
  const h = /^(\d+) statements, each checked by at least one of (\d+) tests\.$/m.exec(text);
  return { defined, mentioned: new Set(text.match(ID) ?? []), header: h === null ? undefined : { statements: Number(h[1]), tests: Number(h[2]) } };
}

/** The string literal starting at `s[i]` (a quote, apostrophe or backtick), raw, or undefined when it does not close. */
function literalAt(s: string, i: number): string | undefined {
  const q = s[i];
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === q) return s.slice(i + 1, j);
    else if (q !== "`" && s[j] === "\n") return undefined;
  }
  return undefined;
}

/** The titles of the tests of one source file: the first argument of `test(...)` or of a suite made by `suite(...)`, when it is a string literal. */
export function testTitles(source: string): string[] {
  const names = new Set(["test"]);
  for (const m of source.matchAll(/\b(?:const|let)\s+(\w+)\s*=\s*suite\s*\(/g)) names.add(m[1]!);
  const titles: string[] = [];
  const call = new RegExp(`(?<![\\w.$])(?:${[...names].join("|")})(?:\\.only)?\\s*\\(\\s*(["'\`])`, "g");
  for (const m of source.matchAll(call)) {
    const title = literalAt(source, m.index + m[0].length - 1);
    if (title !== undefined) titles.push(title);
  }
  return titles;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    if (name === "node_modules" || name === "fixtures" || name.startsWith(".")) return [];
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return testFiles(p);
    return name.endsWith(".test.ts") ? [p] : [];
  });
}

test("F-x.y cross-check: every statement of docs/FORMAT.md has a test, every id a test names exists, the header counts are true", () => {
  const doc = documentIds(readFileSync(DOC, "utf8"));
  const defined = new Set(doc.defined);
  const problems: string[] = [];
  const dupes = doc.defined.filter((id, i) => doc.defined.indexOf(id) !== i);
  for (const id of dupes) problems.push(`${id} is defined more than once in docs/FORMAT.md`);
  for (const id of doc.mentioned) if (!defined.has(id)) problems.push(`docs/FORMAT.md mentions ${id}, which is no statement`);

  const checked = new Map<string, string[]>();
  let tests = 0;
  for (const file of [...testFiles(join(root, "test")), ...testFiles(join(root, "spec-tests"))]) {
    const where = relative(root, file);
    for (const title of testTitles(readFileSync(file, "utf8"))) {
      const ids = (title.match(ID) ?? []).filter((id, i, all) => all.indexOf(id) === i);
      if (ids.length === 0) continue;
      tests++;
      for (const id of ids) {
        if (!defined.has(id)) problems.push(`${where}: test "${title}" names ${id}, which docs/FORMAT.md does not define`);
        else checked.set(id, [...(checked.get(id) ?? []), where]);
      }
    }
  }
  for (const id of doc.defined) if (!checked.has(id)) problems.push(`statement ${id} has no test (no test title names it)`);
  const header = `${defined.size} statements, each checked by at least one of ${tests} tests.`;
  if (doc.header === undefined) problems.push(`docs/FORMAT.md has no header line "${header}"`);
  else if (doc.header.statements !== defined.size || doc.header.tests !== tests) {
    problems.push(`the header of docs/FORMAT.md says "${doc.header.statements} statements, each checked by at least one of ${doc.header.tests} tests." but it is now "${header}"`);
  }
  assert.equal(problems, [], `\n${problems.join("\n")}\n`);
});

test("the cross-check's parsers: definitions only at the start of a line, titles of test() and suites, template titles", () => {
  const doc = documentIds("# T\n\n3 statements, each checked by at least one of 2 tests.\n\n**F-1.1** a\n**F-1.2** b, see F-1.1\ntext **F-9.9** inline\n**F-2.1** c\n");
  assert.equal(doc.defined, ["F-1.1", "F-1.2", "F-2.1"]);
  assert.equal(doc.header, { statements: 3, tests: 2 });
  assert.ok(doc.mentioned.has("F-9.9"));
  const src = 'const t = suite("x");\nt("F-1.1 F-1.2: a \\"q\\"", () => {});\ntest(`F-2.1: ${name}`, () => {});\nassert.ok(x("F-3.3"));\nfoo.t("F-4.4");\n';
  assert.equal(testTitles(src), ['F-1.1 F-1.2: a \\"q\\"', "F-2.1: ${name}"]);
});

test.run();
