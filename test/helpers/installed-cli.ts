/**
 * The `ratzarr` command as a user gets it, for the CLI tests: the package
 * packed once per test run (`npm pack` runs the build), the tarball
 * installed into an empty project without the optional zstd-napi (which
 * compiles from source for ~40 s; test/package/pack.test.ts installs it)
 * and with the AWS SDK, the optional peer dependency a user of s3:// paths
 * installs (test/package/optional-sdk.test.ts covers its absence), and
 * `npx ratzarr …` run there. Every CLI test file shares the one install.
 */
import { execFileSync, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");

/** The environment the commands run in: npm quiet, no Node warnings. */
export const cliEnv: NodeJS.ProcessEnv = { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false", NODE_NO_WARNINGS: "1" };

/** An installed package: the project folder, and how to run things there. */
export interface InstalledCli {
  /** The project the tarball is installed in (`import "ratzarr"` works from scripts run here). */
  readonly app: string;
  /** `npx ratzarr ...args` in the project: exit status, standard output and error. */
  ratzarr(args: readonly string[], options?: { env?: NodeJS.ProcessEnv; input?: string }): { status: number; out: string; err: string };
  /** Run an ES module script with the installed package (to write RATs as a user would). */
  script(source: string, env?: NodeJS.ProcessEnv): string;
}

let installed: InstalledCli | undefined;
let work: string | undefined;

/** Pack and install once (the first call takes ~20 s), then the same install. */
export function installedCli(): InstalledCli {
  if (installed !== undefined) return installed;
  work = mkdtempSync(join(tmpdir(), "ratzarr-cli-install-"));
  const app = join(work, "app");
  const packed = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, env: cliEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const info = JSON.parse(packed.slice(packed.indexOf("["))) as { filename: string }[];
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "module", private: true }));
  const sdk = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies["@aws-sdk/client-s3"]!;
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--omit=optional", join(work, info[0]!.filename), `@aws-sdk/client-s3@${sdk}`], { cwd: app, env: cliEnv, stdio: ["ignore", "pipe", "pipe"] });
  const run = (file: string, args: readonly string[], options: SpawnSyncOptions) => spawnSync(file, args, { cwd: app, encoding: "utf8", maxBuffer: 1 << 30, ...options });
  installed = {
    app,
    ratzarr(args, options = {}) {
      const r = run("npx", ["--no-install", "ratzarr", ...args], { env: { ...cliEnv, ...options.env }, input: options.input });
      return { status: r.status ?? -1, out: String(r.stdout), err: String(r.stderr) };
    },
    script(source, env = {}) {
      return execFileSync(process.execPath, ["--input-type=module", "-e", source], { cwd: app, env: { ...cliEnv, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    },
  };
  process.once("exit", () => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });
  return installed;
}

/**
 * The script (for `script()`) that writes the CLI tests' small RAT at `path` with the installed
 * package: 10 rows in chunks of 4; float64 `area` (NaN at `nanRow` when given), string `name`
 * (empty, separators, é), uint8 `rgb` of width 3, `big` int64 past 2^53, `ok` bool with no chunk
 * stored, and a RAT attribute `title`. `provenance`: the modification log's user and command.
 */
export function sampleRatScript(path: string, options: { provenance?: { user: string; argv: string[] }; nanRow?: number } = {}): string {
  const open = options.provenance === undefined ? "" : `, { provenance: ${JSON.stringify(options.provenance)} }`;
  const nan = options.nanRow === undefined ? "i * 1.5" : `(i === ${options.nanRow} ? NaN : i * 1.5)`;
  return `
    import { RatZarr } from "ratzarr";
    const rz = await RatZarr.open(${JSON.stringify(path)}${open});
    await rz.setChunkSize(4);
    await rz.setRowCount(10);
    await rz.createColumn("area", "float64");
    await rz.writeBlock("area", Float64Array.from({ length: 10 }, (_, i) => ${nan}), 0);
    await rz.createColumn("name", "string");
    await rz.writeBlock("name", ["forest", "open water", "", "a,b", "x", "y", "z", "é", "q", "r"], 0);
    await rz.createColumn("rgb", "uint8", { width: 3 });
    await rz.writeBlock("rgb", Uint8Array.from({ length: 30 }, (_, i) => i), 0);
    await rz.createColumn("big", "int64");
    await rz.writeBlock("big", BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i) * 1000000000000000001n), 0);
    await rz.createColumn("ok", "bool");
    await (await rz.getRatAttributeMapping()).set("title", "Segments");
    await rz.close();
  `;
}
