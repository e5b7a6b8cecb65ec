/**
 * An S3 server behind a proxy that answers some requests with 503 SlowDown
 * and drops some connections (before and after the server did the work): a
 * whole RAT write and read-back still comes out exact.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RatZarr } from "../../src/node/index.js";
import { S3Store } from "../../src/stores/s3.js";
import { StoreError } from "../../src/errors.js";
import { clientConfig, s3Servers } from "../helpers/backends.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { s3Client } from "../helpers/s3-servers.js";
import { CreateBucketCommand } from "@aws-sdk/client-s3";

const t = suite("S3 faults");
const retry = { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 100 };

for (const server of s3Servers()) {
  t(`${server.name}: 503s and dropped connections, and the RAT still comes out exact`, async () => {
    const bucket = `ratzarr-faults-${Date.now().toString(36)}`;
    await s3Client(server).send(new CreateBucketCommand({ Bucket: bucket }));
    const proxy = await startFaultProxy(server.endpoint, { seed: 7, slowDown: 0.1, dropBefore: 0.05, dropAfter: 0.05 });
    try {
      const s3 = { clientConfig: { ...clientConfig(server), endpoint: proxy.endpoint, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 } }, retry };
      const path = `s3://${bucket}/faulty.zarr`;
      const rows = 3000;
      const rz = await RatZarr.open(path, { s3, onWarning: () => undefined, concurrency: 8 });
      await rz.setChunkSize(256);
      await rz.setRowCount(rows);
      await rz.createColumn("f", "float64");
      await rz.createColumn("s", "string");
      await rz.createColumn("w", "int16", { width: 3 });
      // Unaligned blocks: partial chunks go through conditional read-modify-write.
      for (let start = 0; start < rows; start += 700) {
        const n = Math.min(700, rows - start);
        await rz.writeBlock("f", Float64Array.from({ length: n }, (_, i) => (start + i) / 8), start);
        await rz.writeBlock("s", Array.from({ length: n }, (_, i) => `row ${start + i} ✓`), start);
        await rz.writeBlock("w", Int16Array.from({ length: n * 3 }, (_, i) => (start * 3 + i) % 30000), start);
      }
      await (await rz.getRatAttributeMapping()).update({ a: 1, b: "two" });
      await rz.close();
      assert.ok(proxy.counts.slowDown > 0 && proxy.counts.dropBefore > 0 && proxy.counts.dropAfter > 0, JSON.stringify(proxy.counts));

      // Read back through the faulty proxy, then straight from the server.
      for (const endpoint of [proxy.endpoint, server.endpoint]) {
        const r = await RatZarr.open(path, { s3: { clientConfig: { ...clientConfig(server), endpoint }, retry }, readOnly: true });
        assert.is(r.getRowCount(), rows);
        assert.equal(Array.from(await r.readBlock<"float64">("f", 0, rows)), Array.from({ length: rows }, (_, i) => i / 8));
        assert.equal(await r.readBlock("s", 0, rows), Array.from({ length: rows }, (_, i) => `row ${i} ✓`));
        assert.equal(Array.from(await r.readBlock<"int16">("w", 0, rows)), Array.from({ length: rows * 3 }, (_, i) => i % 30000));
        assert.equal((await r.getRatAttributeMapping()).toJSON(), { ROWCOUNT: rows, CHUNKSIZE: 256, a: 1, b: "two" });
        assert.is((await r.getModificationLog("f")).length, 1);
      }
      console.log(`  ${server.name} through the fault proxy: ${JSON.stringify(proxy.counts)}`);
    } finally {
      await proxy.close();
    }
  });

  t(`${server.name}: when every try fails, the error names the key and the status, after a bounded number of tries`, async () => {
    const proxy = await startFaultProxy(server.endpoint, { seed: 1, slowDown: 1, dropBefore: 0, dropAfter: 0 });
    try {
      const store = new S3Store({ bucket: "any-bucket", prefix: "p", clientConfig: { ...clientConfig(server), endpoint: proxy.endpoint }, retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 } });
      try {
        await store.get("RAT/zarr.json");
        assert.unreachable();
      } catch (e) {
        assert.instance(e, StoreError);
        assert.match((e as Error).message, "s3://any-bucket/p/RAT/zarr.json");
        assert.match((e as Error).message, /GET failed after 4 attempts: HTTP 503 SlowDown/);
        assert.not.match((e as Error).message, new RegExp(clientConfig(server).credentials.secretAccessKey));
      }
      assert.is(proxy.counts.requests, 4);
    } finally {
      await proxy.close();
    }
  });
}

t.run();
