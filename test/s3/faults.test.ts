/**
 * An S3 server behind a proxy that answers some requests with 503 SlowDown
 * and drops some connections (before and after the server did the work): a
 * whole RAT write and read-back still comes out exact. Then each fault of
 * the proxy alone (cut bodies both ways, resets, 500/503 bursts, latency, a
 * restart): one store call still comes out exact, after a retry.
 * The whole campaign through all of them is test/campaign/s3-faults.test.ts.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RatZarr } from "../../src/node/index.js";
import { defaultClientConfig, S3Store } from "../../src/stores/s3.js";
import { StoreError } from "../../src/errors.js";
import { clientConfig, s3Servers } from "../helpers/backends.js";
import { type FaultCounts, type FaultKind, startFaultProxy } from "../helpers/fault-proxy.js";
import { s3Client } from "../helpers/s3-servers.js";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { getEventListeners } from "node:events";

const t = suite("S3 faults");
const retry = { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 100 };

for (const server of s3Servers()) {
  t(`${server.name}: 503s and dropped connections, and the RAT still comes out exact`, async () => {
    const bucket = `ratzarr-faults-${Date.now().toString(36)}`;
    await s3Client(server).send(new CreateBucketCommand({ Bucket: bucket }));
    const proxy = await startFaultProxy(server.endpoint, { seed: 7, slowDown: 0.1, dropBefore: 0.05, dropAfter: 0.05 });
    try {
      const s3 = { clientConfig: { ...clientConfig(server), endpoint: proxy.endpoint, requestHandler: { connectionTimeout: 2000, socketTimeout: 5000 } }, retry };
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

t("the default client configuration bounds connecting and a silent socket (the SDK bounds neither, and its requestTimeout only warns)", () => {
  assert.equal(defaultClientConfig().requestHandler, { connectionTimeout: 10_000, socketTimeout: 60_000 });
  // A handler of the caller's own replaces ours whole.
  assert.equal(defaultClientConfig({ requestHandler: { socketTimeout: 5 } }).requestHandler, { socketTimeout: 5 });
});

/** Each fault alone, and what the proxy must have counted for it. */
const SINGLE: [FaultKind, keyof FaultCounts][] = [
  ["cutResponse", "cutResponse"],
  ["cutUpload", "cutUpload"],
  ["resetUpload", "resetUpload"],
  ["burst500", "status500"],
  ["burst503", "status503"],
  ["latency", "latency"],
  ["dropBefore", "dropBefore"],
  ["dropAfter", "dropAfter"],
];

for (const server of s3Servers()) {
  t(`${server.name}: each fault alone (cut bodies, resets, bursts, latency, drops) is retried and a PUT and GET of 300 kB come out exact`, async () => {
    const bucket = `ratzarr-single-${Date.now().toString(36)}`;
    const admin = s3Client(server);
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    admin.destroy();
    const value = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 9)) & 255);
    for (const [kind, counter] of SINGLE) {
      // Two in a row, for the PUT (cut and reset uploads apply only to it) and then the GET.
      const proxy = await startFaultProxy(server.endpoint, { seed: 11, sequence: [kind, kind, "none", kind, kind], latencyMs: [100, 300] });
      try {
        const store = new S3Store({ bucket, prefix: kind, clientConfig: { ...clientConfig(server), endpoint: proxy.endpoint }, retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 50 } });
        await store.set("k", value);
        const back = await store.get("k");
        assert.ok(back !== undefined && back.length === value.length && back.every((b, i) => b === value[i]), `${kind}: the bytes read back differ`);
        assert.ok(proxy.counts[counter] > 0, `${kind}: not injected: ${JSON.stringify(proxy.counts)}`);
        store.client.destroy();
      } finally {
        await proxy.close();
      }
    }
  });

  t(`${server.name}: a request the server never answers fails its try once the socket is silent for socketTimeout, and is retried`, async () => {
    const proxy = await startFaultProxy(server.endpoint, { seed: 9, sequence: ["stall"] });
    try {
      const store = new S3Store({ bucket: "ratzarr-no-such-bucket", clientConfig: { ...clientConfig(server), endpoint: proxy.endpoint, requestHandler: { socketTimeout: 300 } }, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
      const started = Date.now();
      assert.is(await store.get("k"), undefined);
      assert.is(proxy.counts.stall, 1);
      assert.is(store.requests.retries, 1);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      store.client.destroy();
    } finally {
      await proxy.close();
    }
  });

  t(`${server.name}: retries leave no abort listener behind on the caller's signal`, async () => {
    const proxy = await startFaultProxy(server.endpoint, { seed: 5, sequence: ["slowDown", "slowDown", "slowDown"] });
    try {
      const store = new S3Store({ bucket: "ratzarr-no-such-bucket", clientConfig: { ...clientConfig(server), endpoint: proxy.endpoint }, retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 } });
      const signal = new AbortController().signal;
      await store.get("k", { signal }).catch(() => undefined);
      assert.is(store.requests.retries, 3);
      // The SDK's own listener for the last request may linger until its socket closes; ours must be gone.
      assert.ok(getEventListeners(signal, "abort").length <= 1, `${getEventListeners(signal, "abort").length} abort listeners left`);
      store.client.destroy();
    } finally {
      await proxy.close();
    }
  });

  t(`${server.name}: with conditionalSets, a conditional write that races a plain write never undoes it (Ceph 16.2 lets it)`, async () => {
    const bucket = `ratzarr-race-${Date.now().toString(36)}`;
    const admin = s3Client(server);
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    admin.destroy();
    const config = clientConfig(server);
    const plain = new S3Store({ bucket, clientConfig: config, conditionalSets: true });
    const other = new S3Store({ bucket, clientConfig: config });
    const bytes = (b: number) => new Uint8Array(3000).fill(b);
    // Learn how this server wants ETags quoted before racing.
    await other.setIfVersion("warm", bytes(0), (await other.setIfVersion("warm", bytes(0), null))!);
    let undone = 0, races = 0;
    for (let i = 0; i < 150; i++) {
      const key = `k${i % 10}`;
      await plain.set(key, bytes(1));
      const base = (await other.getVersioned(key))!.version;
      // A read-modify-write that read `base`, and a whole overwrite, at the same time.
      const y = plain.set(key, bytes(2));
      await new Promise((r) => setTimeout(r, i % 6));
      const z = other.setIfVersion(key, bytes(3), base);
      const [, won] = await Promise.all([y, z]);
      races++;
      const final = (await other.get(key))![0];
      // z may land before y (then y is what stays) or be refused; it must never land over y.
      if (won !== undefined && final === 3) undone++;
    }
    assert.is(undone, 0, `${undone} of ${races} acknowledged plain writes were undone by a conditional write based on the version they replaced`);
    plain.client.destroy();
    other.client.destroy();
  });

  t(`${server.name}: a restart (connections refused for 1-1.5 s) in the middle of a run of requests is retried`, async () => {
    const bucket = `ratzarr-restart-${Date.now().toString(36)}`;
    const admin = s3Client(server);
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    admin.destroy();
    const proxy = await startFaultProxy(server.endpoint, { seed: 3, restartAt: [5], downMs: [1000, 1500] });
    try {
      const store = new S3Store({ bucket, clientConfig: { ...clientConfig(server), endpoint: proxy.endpoint }, retry: { maxAttempts: 30, baseDelayMs: 20, maxDelayMs: 300 } });
      // Retries that outlast the 1-1.5 s down (about 4 s of backoff in all).
      await Promise.all(Array.from({ length: 12 }, (_, i) => store.set(`k${i}`, Uint8Array.of(i, 1, 2, 3))));
      for (let i = 0; i < 12; i++) assert.equal(Array.from((await store.get(`k${i}`)) ?? []), [i, 1, 2, 3]);
      assert.is(proxy.counts.restarts, 1);
      assert.ok(store.requests.retries > 0, "nothing was retried");
      store.client.destroy();
    } finally {
      await proxy.close();
    }
  });
}

t.run();
