/**
 * S3 from the browser, the public-bucket way (README, "HTTP"): a RAT written
 * to a bucket on each S3 server of the run, read by the demo page in headless
 * Chromium from another origin through the HTTP store, with the bucket's CORS
 * rules allowing it (GET and HEAD, the Range header, Content-Range exposed)
 * and a bucket policy making it publicly readable and listable. The column
 * list comes from the bucket's S3-style listing. Ceph radosgw enforces CORS,
 * so there a bucket without the rules is also tried, and must fail with an
 * error naming the URL; moto answers CORS for any origin whatever the rules.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { PutBucketCorsCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { chromium } from "playwright-core";
import { RatZarr } from "../../src/node/index.js";
import { buildDemoPage } from "../../scripts/build-demo-page.js";
import { clientConfig, type S3ServerInfo, s3Servers } from "../helpers/backends.js";
import { makeBucket } from "../helpers/s3-servers.js";

const root = join(import.meta.dirname, "../..");
const CHROMIUM = "/usr/bin/chromium";
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript" };

async function serve(dir: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
    if (!path.startsWith(dir) || !existsSync(path) || !statSync(path).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function publicBucket(server: S3ServerInfo, cors: boolean): Promise<string> {
  const bucket = `ratzarr-cors-${cors ? "on" : "off"}-${Date.now().toString(36)}`;
  await makeBucket(server as never, bucket);
  const client = new S3Client(clientConfig(server));
  if (cors) {
    await client.send(new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["GET", "HEAD"], AllowedHeaders: ["Range"], ExposeHeaders: ["Content-Range", "Content-Length"] }] },
    }));
  }
  // Public read and list, as a bucket that publishes RATs for a map viewer is set up.
  await client.send(new PutBucketPolicyCommand({
    Bucket: bucket,
    Policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${bucket}/*`] },
        { Effect: "Allow", Principal: "*", Action: ["s3:ListBucket"], Resource: [`arn:aws:s3:::${bucket}`] },
      ],
    }),
  }));
  client.destroy();
  const rz = await RatZarr.open(`s3://${bucket}/segments.zarr`, { s3: { clientConfig: clientConfig(server) }, onWarning: () => undefined });
  await rz.setChunkSize(4);
  await rz.setRowCount(6);
  await rz.createColumn("area", "float32");
  await rz.createColumn("name", "string");
  await rz.writeBlock("area", Float32Array.from([1, 2, 3, 4, 5, 6]), 0);
  await rz.writeBlock("name", ["a", "b", "c", "d", "e", "f"], 0);
  await rz.close();
  return `${server.endpoint}/${bucket}/segments.zarr`;
}

for (const server of s3Servers()) {
  test(`${server.name}: a public bucket with CORS rules is read by the demo page in Chromium from another origin, columns from the listing`, async () => {
    if (!existsSync(CHROMIUM)) {
      if (process.env["CI"] === "true") assert.unreachable(`${CHROMIUM} is missing: scripts/runtimes.sh installs Debian's chromium`);
      console.log(`  skipped: ${CHROMIUM} is not installed`);
      return;
    }
    const withRules = await publicBucket(server, true);
    const withoutRules = server.name === "ceph" ? await publicBucket(server, false) : undefined;
    mkdirSync(join(root, "tmp"), { recursive: true });
    const site = mkdtempSync(join(root, "tmp", "cors-"));
    const { server: http, base } = await serve(site);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      await buildDemoPage(join(site, "page"));
      const open = async (url: string) => {
        const page = await browser.newPage();
        await page.goto(`${base}/page/index.html?url=${encodeURIComponent(url)}&rows=3`);
        await page.waitForFunction("document.body.dataset.state !== undefined", undefined, { timeout: 60_000 });
        return { page, state: await page.evaluate("document.body.dataset.state"), status: (await page.textContent("#status")) ?? "" };
      };
      const ok = await open(withRules);
      assert.is(ok.state, "done", `page says: ${ok.status}`);
      const rows = await ok.page.$$eval("#rows tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td,th")].map((c) => c.textContent)));
      assert.equal(rows, [["row", "area", "name"], ["0", "1", '"a"'], ["1", "2", '"b"'], ["2", "3", '"c"']]);
      let refused = "";
      if (withoutRules !== undefined) {
        const no = await open(withoutRules);
        assert.is(no.state, "error");
        assert.match(no.status, /StoreError/);
        assert.ok(no.status.includes(withoutRules), no.status);
        refused = "; without CORS rules refused with a StoreError naming the URL";
      }
      console.log(`  Chromium ${browser.version()} read a RAT on ${server.name} ${server.version ?? ""} from another origin through its CORS rules${refused}`);
    } finally {
      await browser.close();
      await new Promise<void>((r) => http.close(() => r()));
      rmSync(site, { recursive: true, force: true });
    }
  });
}

test.run();
