/**
 * The demo page (demo/page, built by `npm run demo:page`) in headless
 * Chromium: served by a static server on 127.0.0.1 beside a RAT written here,
 * it opens the RAT over HTTP with the core entry and shows its columns and
 * first rows. The test reads the tables back and saves a screenshot to
 * demo-output/demo-page.png.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { RatZarr } from "../../src/node/index.js";
import { buildDemoPage } from "../../scripts/build-demo-page.js";

const root = join(import.meta.dirname, "../..");
const CHROMIUM = "/usr/bin/chromium";
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".json": "application/json" };

/** A static server of `dir` on 127.0.0.1 (no ranges: the HTTP store slices whole answers). */
async function serve(dir: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
    if (!path.startsWith(dir) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test("the demo page opens a RAT over HTTP in headless Chromium and shows its columns and first rows", async () => {
  if (!existsSync(CHROMIUM)) {
    if (process.env["CI"] === "true") assert.unreachable(`${CHROMIUM} is missing: scripts/runtimes.sh installs Debian's chromium`);
    console.log(`  skipped: ${CHROMIUM} is not installed (scripts/runtimes.sh installs it)`);
    return;
  }
  mkdirSync(join(root, "tmp"), { recursive: true });
  const site = mkdtempSync(join(root, "tmp", "demo-"));
  const { server, base } = await serve(site);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    await buildDemoPage(join(site, "page"));
    const rz = await RatZarr.open(join(site, "segments.zarr"), { onWarning: () => undefined });
    await rz.setChunkSize(4);
    await rz.setRowCount(10);
    await rz.createColumn("area", "float64");
    await rz.createColumn("class", "string");
    await rz.createColumn("rgb", "uint8", { width: 3 });
    await rz.writeBlock("area", Float64Array.from({ length: 10 }, (_, i) => i * 1.5), 0);
    await rz.writeBlock("class", Array.from({ length: 10 }, (_, i) => ["water", "forest", "Zürich"][i % 3]!), 0);
    await rz.writeBlock("rgb", Uint8Array.from({ length: 30 }, (_, i) => i * 8), 0);
    await rz.close();

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${base}/page/index.html?url=/segments.zarr&columns=area,class,rgb&rows=5`);
    // Strings: evaluated in the page (this file is compiled without the DOM library).
    await page.waitForFunction("document.body.dataset.state !== undefined", undefined, { timeout: 30_000 });
    const state = await page.evaluate("document.body.dataset.state");
    const status = await page.textContent("#status");
    assert.is(state, "done", `page says: ${status} ${problems.join("; ")}`);
    const columns = await page.$$eval("#columns tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td,th")].map((c) => c.textContent)));
    const rows = await page.$$eval("#rows tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td,th")].map((c) => c.textContent)));
    assert.equal(columns, [
      ["column", "type", "width", "rows per chunk"],
      ["area", "float64", "1", "4"],
      ["class", "string", "1", "4"],
      ["rgb", "uint8", "3", "4"],
    ]);
    assert.equal(rows[0], ["row", "area", "class", "rgb"]);
    assert.equal(rows[2], ["1", "1.5", '"forest"', "24, 32, 40"]);
    assert.equal(rows[3], ["2", "3", '"Zürich"', "48, 56, 64"]);
    assert.is(rows.length, 6);
    assert.match(status ?? "", /10 rows, 3 columns; first 5 rows below/);
    mkdirSync(join(root, "demo-output"), { recursive: true });
    await page.screenshot({ path: join(root, "demo-output/demo-page.png"), fullPage: true });
    console.log(`  Chromium ${browser.version()}: demo page showed 3 columns and 5 rows; screenshot demo-output/demo-page.png`);
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(site, { recursive: true, force: true });
  }
});

test.run();
