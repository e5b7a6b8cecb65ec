/** S3Store against every real S3 server of the run: the store contract, and what only S3 has. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { S3Store, parseS3Url } from "../../src/stores/s3.js";
import { collectKeys } from "../../src/stores/store.js";
import { ZarrArray } from "../../src/format/array.js";
import { NodeError, StoreError } from "../../src/errors.js";
import { clientConfig, s3Servers } from "../helpers/backends.js";
import { s3Client } from "../helpers/s3-servers.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { storeContract } from "../stores/store-contract.js";

const u = suite("S3 URLs");
u("parseS3Url", () => {
  assert.equal(parseS3Url("s3://bucket/a/b.zarr/"), { bucket: "bucket", prefix: "a/b.zarr" });
  assert.equal(parseS3Url("s3://bucket"), { bucket: "bucket", prefix: "" });
  assert.throws(() => parseS3Url("s3:///x"), /not an s3:\/\/bucket\/key URL/);
});
u.run();

for (const server of s3Servers()) {
  let bucket = "";
  let n = 0;
  const make = async (prefix?: string) => {
    if (bucket === "") {
      bucket = `ratzarr-store-${Date.now().toString(36)}`;
      await s3Client(server).send(new CreateBucketCommand({ Bucket: bucket }));
    }
    return new S3Store({ bucket, prefix: prefix ?? `t${++n}`, clientConfig: clientConfig(server) });
  };

  const c = suite(`S3Store contract [${server.name}]`);
  storeContract(c, () => make());
  c.run();

  const t = suite(`S3Store [${server.name}]`);

  t("listing and deleting past 1000 keys (paginated, batches of at most 1000)", async () => {
    const store = await make();
    const keys = Array.from({ length: 1205 }, (_, i) => `d/c/${String(i).padStart(4, "0")}`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.set(k, new Uint8Array([1]))));
    await store.set("d/zarr.json", new Uint8Array([1]));
    await store.set("dd/other", new Uint8Array([1]));
    assert.is((await collectKeys(store.list("d/"))).length, 1206);
    const before = { ...store.requests };
    await store.deleteDir("d");
    assert.is(store.requests.delete - before.delete, 2, "two DeleteObjects batches");
    assert.equal(await collectKeys(store.list("")), ["dd/other"]);
  });

  t("existsAt is exact: rat.zarr never matches rat.zarr2", async () => {
    const store = await make("x/rat.zarr2");
    await store.set("zarr.json", new Uint8Array([1]));
    assert.ok(await store.existsAt(""));
    const sibling = new S3Store({ bucket, prefix: "x/rat.zarr", clientConfig: clientConfig(server) });
    assert.not.ok(await sibling.existsAt(""));
  });

  t("six writers creating the same array: one wins, the others get 'already exists'", async () => {
    const store = await make();
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => ZarrArray.create(store, "RAT/col", { shape: [i + 1], dataType: "int8", chunkShape: [1] })));
    assert.is(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof NodeError && /already exists/.test(r.reason.message), String(r.reason));
  });

  t("a server without conditional writes (501): a clear error, or unconditional with the opt-out", async () => {
    const store = await make();
    await store.set("k", new Uint8Array([1]));
    const v = (await store.getVersioned("k"))!.version;
    // A proxy that answers 501 to every conditional PUT, as OpenStack Swift does.
    const { createServer, request } = await import("node:http");
    const target = new URL(server.endpoint);
    const proxy = createServer((req, res) => {
      if (req.method === "PUT" && (req.headers["if-match"] !== undefined || req.headers["if-none-match"] !== undefined)) {
        req.resume();
        res.writeHead(501, { "content-type": "application/xml" });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message></Error>');
        return;
      }
      const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const endpoint = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      const strict = new S3Store({ bucket, prefix: store.prefix, clientConfig: { ...clientConfig(server), endpoint } });
      try {
        await strict.setIfVersion("k", new Uint8Array([2]), v);
        assert.unreachable();
      } catch (e) {
        assert.instance(e, StoreError);
        assert.match((e as Error).message, /does not support conditional writes \(HTTP 501\)/);
        assert.match((e as Error).message, /unsafeConcurrentWrites/);
      }
      const unsafe = new S3Store({ bucket, prefix: store.prefix, clientConfig: { ...clientConfig(server), endpoint }, unsafeConcurrentWrites: true });
      assert.type(await unsafe.setIfVersion("k", new Uint8Array([3]), v), "string");
      assert.equal(await store.get("k"), new Uint8Array([3]));
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  t("a conditional PUT whose first answer was lost is recognised as ours, not as a conflict", async () => {
    const store = await make();
    await store.set("k", new Uint8Array([1]));
    const v = (await store.getVersioned("k"))!.version;
    // Half the answers are lost: a PUT that landed is retried, gets 412, and must be seen as ours.
    const proxy2 = await startFaultProxy(server.endpoint, { seed: 3, slowDown: 0, dropBefore: 0, dropAfter: 0.5 });
    try {
      const flaky = new S3Store({ bucket, prefix: store.prefix, clientConfig: { ...clientConfig(server), endpoint: proxy2.endpoint }, retry: { maxAttempts: 10, baseDelayMs: 1 } });
      let version = v;
      for (let i = 0; i < 10; i++) {
        const next = await flaky.setIfVersion("k", new Uint8Array([10 + i]), version);
        assert.type(next, "string", `write ${i} taken for a conflict`);
        version = next!;
      }
      assert.equal(await store.get("k"), new Uint8Array([19]));
      assert.ok(proxy2.counts.dropAfter > 0);
    } finally {
      await proxy2.close();
    }
  });

  t("credentials and endpoint from the environment, the way AWS tools resolve them", () => {
    const script = `
      import { S3Store } from ${JSON.stringify(new URL("../../src/stores/s3.ts", import.meta.url).href)};
      const s = S3Store.fromUrl("s3://${bucket}/envtest");
      await s.set("a", new Uint8Array([7]));
      console.log(JSON.stringify([...(await s.get("a"))]));
    `;
    const env = { ...process.env, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_ENDPOINT_URL_S3: server.endpoint, AWS_REGION: server.region, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env, encoding: "utf8" });
    assert.equal(JSON.parse(out.trim()), [7]);
  });

  t("an object written by another client is read with range GETs", async () => {
    const store = await make();
    await s3Client(server).send(new PutObjectCommand({ Bucket: bucket, Key: `${store.prefix}/blob`, Body: new TextEncoder().encode("0123456789") }));
    assert.is(new TextDecoder().decode(await store.get("blob", { range: { offset: 3, length: 4 } })), "3456");
    assert.is(new TextDecoder().decode(await store.get("blob", { range: { suffix: 2 } })), "89");
  });

  t.run();
}
