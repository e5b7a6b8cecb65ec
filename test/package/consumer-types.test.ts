/**
 * The published declarations, as users' projects see them: the package is packed once
 * (`npm pack` builds it), installed into an empty project, and consumer projects in it
 * are type-checked by this repository's `tsc --noEmit -p`, WITHOUT `skipLibCheck`, so
 * every shipped `.d.ts` they reach is checked under their settings:
 * - nodenext: `module`/`moduleResolution` "nodenext", `types: ["node"]` (TS 7 includes no
 *   `@types` package unless listed); imports `ratzarr` (the Node entry, `FileSystemStore`
 *   included) and `ratzarr/fs`, and type-checks the README's Quick start as written;
 * - bundler: `moduleResolution` "bundler", `lib: ["esnext", "dom"]`, no Node types; imports
 *   `ratzarr` (the core's types: bundler resolution has no "node" condition) and
 *   `ratzarr/core`;
 * - bundler-node: bundler with `customConditions: ["node"]`, as a project bundling for Node
 *   sets, gets the Node entry's types from `ratzarr`, `FileSystemStore` included;
 * - browser: `lib: ["es2022", "dom"]`, `types: []`; imports `ratzarr/core` with `MemoryStore`
 *   and `HttpStore` (no `Symbol.asyncDispose` in that lib, no Node types).
 * Each uses a typed column handle, so its array type must survive into the `.d.ts`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");
const devDependencies = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies;
const tsc = join(root, "node_modules/typescript/bin/tsc");

/** Options every consumer shares: strict, and never `skipLibCheck` (the point of the test). */
const STRICT = { strict: true, noEmit: true, skipLibCheck: false, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, verbatimModuleSyntax: true };

/** Code every consumer type-checks against its `RatZarr`: open, a typed column, arithmetic on its elements. */
const USE_RAT = `
  const rz = await RatZarr.open(store, { onWarning: () => undefined });
  await rz.setRowCount(3);
  if (!(await rz.colExists("area"))) await rz.createColumn("area", "float64");
  const area = await rz.column("area", "float64");
  await area.writeBlock(Float64Array.of(1, 2, 3), 0);
  const block: Float64Array = await area.readBlock(0, 3);
  const next: number = block[0]! + 1;
  // @ts-expect-error: an Int32Array is not a float64 block
  await area.writeBlock(new Int32Array(3), 0);
  const column: RatColumn<"float64"> = area;
  const legacy: number = (await rz.readBlock<"float64">("area", 0, 1))[0]! + 1;
  await rz.close();
  void [next, column, legacy];
`;

interface Consumer {
  readonly name: string;
  readonly compilerOptions: Record<string, unknown>;
  readonly code: string;
  /** More files of the project: name → text. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** The README's Quick start block (the one that opens `ratfile`), verbatim. */
function quickStart(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).find((b) => b.includes("RatZarr.open(ratfile)"));
  assert.ok(block !== undefined, "README.md has a Quick start block");
  return `${block}export {};\n`;
}

const CONSUMERS: readonly Consumer[] = [
  {
    name: "nodenext",
    compilerOptions: { target: "es2022", module: "nodenext", moduleResolution: "nodenext", types: ["node"] },
    code: `
      import { FileSystemStore, RatColumn, RatZarr, nodeRuntime } from "ratzarr";
      import { FileSystemStore as FsStore, type FileSystemStoreOptions } from "ratzarr/fs";
      const options: FileSystemStoreOptions = {};
      const store: FileSystemStore = new FsStore("t.zarr", options);
      const runtime = nodeRuntime();
      await using handle = await RatZarr.open(store, { runtime });
      void handle;
      ${USE_RAT}
    `,
    extra: { "quick-start.ts": quickStart() },
  },
  {
    name: "bundler",
    compilerOptions: { target: "es2022", lib: ["esnext", "dom"], module: "preserve", moduleResolution: "bundler" },
    code: `
      import { MemoryStore, RatColumn, RatZarr } from "ratzarr";
      import { RatZarrError, type DataType } from "ratzarr/core";
      const store = new MemoryStore();
      {
        // The lib's Symbol.asyncDispose (esnext), not Node's, makes the handle disposable.
        await using disposed = await RatZarr.open(new MemoryStore());
        void disposed;
      }
      const dtype: DataType = "float64";
      void [dtype, RatZarrError];
      ${USE_RAT}
    `,
  },
  {
    name: "bundler-node",
    compilerOptions: { target: "es2022", module: "preserve", moduleResolution: "bundler", customConditions: ["node"], types: ["node"] },
    code: `
      import { FileSystemStore, RatColumn, RatZarr } from "ratzarr";
      import { MemoryStore } from "ratzarr/core";
      const store = Math.random() < 2 ? new MemoryStore() : new FileSystemStore("t.zarr");
      ${USE_RAT}
    `,
  },
  {
    name: "browser",
    compilerOptions: { target: "es2022", lib: ["es2022", "dom"], types: [], module: "esnext", moduleResolution: "bundler" },
    code: `
      import { HttpStore, MemoryStore, RatColumn, RatZarr, type HttpStoreOptions } from "ratzarr/core";
      const options: HttpStoreOptions = {};
      const remote = new HttpStore("https://example.org/rat.zarr", options);
      const remoteRat = await RatZarr.open(remote, { readOnly: true });
      void remoteRat;
      const store = new MemoryStore();
      ${USE_RAT}
    `,
  },
];

test("the packed .d.ts type-check without skipLibCheck in nodenext, bundler and browser consumer projects", () => {
  const work = mkdtempSync(join(tmpdir(), "ratzarr-consumers-"));
  try {
    const env = { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false" };
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const tarball = (JSON.parse(out.slice(out.indexOf("["))) as { filename: string }[])[0]!.filename;
    // One install for all: each consumer is a folder of this project with its own tsconfig.
    const app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "module", private: true }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", join(work, tarball), `@types/node@${devDependencies["@types/node"]}`], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
    const failures: string[] = [];
    for (const c of CONSUMERS) {
      const dir = join(app, c.name);
      mkdirSync(dir);
      const files = { "main.ts": `${c.code.trim()}\nexport {};\n`, ...c.extra };
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...STRICT, ...c.compilerOptions }, files: Object.keys(files) }, null, 2));
      const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", join(dir, "tsconfig.json")], { cwd: dir, encoding: "utf8" });
      if (r.status !== 0) failures.push(`${c.name} (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    }
    assert.is(failures.join("\n"), "", "tsc errors in consumer projects");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
