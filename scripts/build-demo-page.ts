/**
 * Builds the demo page (demo/page) into demo-output/page: index.html and one
 * bundled main.js (the core entry, codecs split off and loaded when a column
 * needs them). Serve the folder with any static server beside a RAT, and open
 * index.html?url=<the RAT's URL>.
 *
 *   npm run demo:page
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
export const pageDir = join(root, "demo-output/page");

/** Build the page into `out` (default demo-output/page); resolves with the folder. */
export async function buildDemoPage(out = pageDir): Promise<string> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  copyFileSync(join(root, "demo/page/index.html"), join(out, "index.html"));
  await build({ entryPoints: { main: join(root, "demo/page/main.ts") }, bundle: true, splitting: true, format: "esm", platform: "browser", target: "es2022", minify: true, outdir: out, logLevel: "error" });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`demo page: ${await buildDemoPage()}`);
}
