/**
 * The core (src/format, src/codecs, src/rat, src/gdal and the shared files at src/)
 * runs unchanged in browsers, Deno, Bun and workers: no `node:*` imports,
 * no Node built-in module names, no `Buffer`, no `process`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "../..");
const NODE_BUILTINS = ["fs", "fs/promises", "path", "os", "crypto", "zlib", "worker_threads", "child_process", "url", "stream", "util", "buffer", "http", "https", "net"];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : n.endsWith(".ts") ? [p] : [];
  });
}

/** Source text with comments removed, so prose about Buffer does not count. */
function code(path: string): string {
  return readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

export function offences(text: string): string[] {
  const found: string[] = [];
  const specifiers = [...text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+|require\s*\(\s*)["'`]([^"'`]+)["'`]/g)].map((m) => m[1]!);
  for (const s of specifiers) {
    if (s.startsWith("node:") || NODE_BUILTINS.includes(s)) found.push(`imports "${s}"`);
  }
  if (/\bBuffer\b/.test(text)) found.push("uses Buffer");
  if (/\bprocess\s*\./.test(text)) found.push("uses process");
  return found;
}

const core = [join(root, "src/format"), join(root, "src/codecs"), join(root, "src/rat"), join(root, "src/gdal")]
  .filter((d) => { try { return statSync(d).isDirectory(); } catch { return false; } })
  .flatMap(tsFiles)
  .concat(readdirSync(join(root, "src")).filter((n) => n.endsWith(".ts")).map((n) => join(root, "src", n)));

test("the checker catches what it must", () => {
  assert.equal(offences('import { readFile } from "node:fs/promises";'), ['imports "node:fs/promises"']);
  assert.equal(offences('const z = await import("zlib");'), ['imports "zlib"']);
  assert.equal(offences("const b = Buffer.from(x);"), ["uses Buffer"]);
  assert.equal(offences("if (process.env.X) {}"), ["uses process"]);
  assert.equal(offences('import { x } from "./fs.js"; const u = new Uint8Array(2);'), []);
});

test("core files exist to check", () => {
  assert.ok(core.length >= 10, `only ${core.length} core files found`);
});

test("no Node-only code in the runtime-agnostic core", () => {
  const bad = core.flatMap((f) => offences(code(f)).map((o) => `${relative(root, f)}: ${o}`));
  assert.equal(bad, []);
});

/** Every source file reachable from `entry` through relative imports, static or dynamic. */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of code(file).matchAll(/(?:from\s*|import\s*\(\s*|import\s+)["'`](\.[^"'`]+)["'`]/g)) {
      visit(join(file, "..", m[1]!.replace(/\.js$/, ".ts")));
    }
  };
  visit(entry);
  return [...seen];
}

test("everything the core entry reaches is Node-free (stores included)", () => {
  const files = reachable(join(root, "src/index.ts"));
  assert.ok(files.some((f) => f.endsWith("stores/memory.ts")));
  assert.not.ok(files.some((f) => f.endsWith("stores/fs.ts")), "src/index.ts reaches the filesystem store");
  const bad = files.flatMap((f) => offences(code(f)).map((o) => `${relative(root, f)}: ${o}`));
  assert.equal(bad, []);
});

test.run();
