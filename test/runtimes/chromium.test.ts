/**
 * The smoke script (smoke.ts) in headless Chromium (Debian's, from
 * scripts/runtimes.sh) driven by playwright-core: the core as a page without a
 * bundler loads it (bare imports pointed at served files), in the page and in a
 * module Web Worker. Each POSTs its report to the test server, which serves the
 * page, the package and the fixtures from one origin on 127.0.0.1.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chromium } from "playwright-core";
import { binary, build, report, type HostReport } from "./harness.js";

test("Chromium: the core in a page and in a Web Worker, MemoryStore and HTTP", async () => {
  const executablePath = binary("chromium");
  if (executablePath === undefined) return;
  const b = await build();
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"], timeout: 60_000 });
  const errors: string[] = [];
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
    await page.goto(b.server.url("page.html"));
    const wait = (path: string) => b.waitForPost(path, 120_000).catch((e: unknown) => assert.unreachable(`${String(e)}; ${errors.join("; ") || "no error in the page"}`));
    const runs = [(await wait("/result/page")) as HostReport, (await wait("/result/worker")) as HostReport];
    assert.is(runs[1]!.entry, "core in a Web Worker");
    report("chromium", browser.version(), runs);
  } finally {
    await browser.close();
  }
});

test.run();
