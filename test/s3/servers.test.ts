/**
 * The real S3 servers the S3 tests run against (test/helpers/s3-servers.ts):
 * both start, answer the requests the S3 store relies on, speak the dialects
 * recorded in shared/S3-TESTING.md, and are gone after stop().
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connect } from "node:net";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { makeBucket, s3Client, startS3Servers, type S3Server, type S3ServerName, type S3Servers } from "../helpers/s3-servers.js";

const t = suite("real S3 servers");

let servers: S3Servers | undefined;
let startError: unknown;
const clients = new Map<S3ServerName, S3Client>();

t.before(async () => {
  try {
    const t0 = performance.now();
    servers = await startS3Servers({ moto: true, ceph: true });
    const took = ((performance.now() - t0) / 1000).toFixed(1);
    for (const s of servers.servers) console.log(`  S3 server: ${s.name} ${s.version} ${s.endpoint}`);
    for (const s of servers.skipped) console.log(`  S3 server skipped: ${s.name}: ${s.reason}`);
    console.log(`  (started in ${took} s)`);
  } catch (e) {
    startError = e; // reported by the first test: uvu swallows errors thrown by hooks
  }
});

t.after(async () => {
  for (const c of clients.values()) c.destroy();
  await servers?.stop();
});

t("both servers start (or are skipped with a reason outside CI)", () => {
  if (startError) throw startError;
  assert.ok(servers);
  const names = [...servers.servers.map((s) => s.name), ...servers.skipped.map((s) => s.name)].sort();
  assert.equal(names, ["ceph", "moto"]);
  for (const s of servers.skipped) assert.ok(s.reason.length > 0);
  assert.ok(servers.servers.length > 0, "no S3 server could be started here");
});

/** The server and a client for it, or undefined when it was skipped here. */
function get(name: S3ServerName): { server: S3Server; client: S3Client } | undefined {
  const server = servers?.servers.find((s) => s.name === name);
  if (!server) {
    if (!servers) throw new Error("the servers did not start");
    return undefined;
  }
  let client = clients.get(name);
  if (!client) clients.set(name, (client = s3Client(server)));
  return { server, client };
}

/** HTTP status of a request: 200-ish on success, the error's status otherwise. */
async function status(f: () => Promise<{ $metadata: { httpStatusCode?: number } }>): Promise<number> {
  try {
    return (await f()).$metadata.httpStatusCode ?? -1;
  } catch (e) {
    const code = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (code === undefined) throw e;
    return code;
  }
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/**
 * What each server does with If-Match on an existing key, by request and
 * ETag spelling (measured with moto 5.2.1 and Ceph radosgw 16.2.15).
 * Real S3 accepts the quoted ETag everywhere. shared/S3-TESTING.md records
 * moto as refusing the unquoted ETag: moto 5.2.1 does so on HEAD only.
 */
const IF_MATCH: Record<S3ServerName, Record<string, number>> = {
  moto: { "PUT quoted": 200, "PUT unquoted": 200, "GET quoted": 200, "GET unquoted": 200, "HEAD quoted": 200, "HEAD unquoted": 412 },
  ceph: { "PUT quoted": 412, "PUT unquoted": 200, "GET quoted": 200, "GET unquoted": 200, "HEAD quoted": 200, "HEAD unquoted": 200 },
};
/** PutObject with If-Match on a key that does not exist: real S3 says 404. */
const IF_MATCH_MISSING: Record<S3ServerName, number> = { moto: 404, ceph: 412 };

for (const name of ["moto", "ceph"] as const) {
  const bucket = `ratzarr-servers-${name}`;

  t(`${name}: bucket, PutObject / GetObject round trip`, async () => {
    const s = get(name);
    if (!s) return;
    await makeBucket(s.server, bucket);
    const body = bytes(100_000);
    const put = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "dir/object.bin", Body: body }));
    assert.match(put.ETag ?? "", /^"[0-9a-f]{32}"$/);
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/object.bin" }));
    assert.equal(got.ContentLength, body.length);
    assert.is(got.ETag, put.ETag);
    assert.equal(await got.Body!.transformToByteArray(), body);
  });

  t(`${name}: Range GET bytes=-16 gives the last 16 bytes`, async () => {
    const s = get(name);
    if (!s) return;
    const body = bytes(1000, 7);
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "range.bin", Body: body }));
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "range.bin", Range: "bytes=-16" }));
    assert.is(got.$metadata.httpStatusCode, 206);
    assert.is(got.ContentRange, "bytes 984-999/1000");
    assert.equal(await got.Body!.transformToByteArray(), body.subarray(984));
    const mid = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "range.bin", Range: "bytes=10-19" }));
    assert.equal(await mid.Body!.transformToByteArray(), body.subarray(10, 20));
  });

  t(`${name}: ListObjectsV2 pages 1005 keys as 1000 + 5`, async () => {
    const s = get(name);
    if (!s) return;
    const keys = Array.from({ length: 1005 }, (_, i) => `list/k${String(i).padStart(4, "0")}`);
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const first = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "list/", MaxKeys: 1000 }));
    assert.is(first.KeyCount, 1000);
    assert.is(first.IsTruncated, true);
    assert.ok(first.NextContinuationToken);
    const second = await s.client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: "list/", MaxKeys: 1000, ContinuationToken: first.NextContinuationToken! }),
    );
    assert.is(second.KeyCount, 5);
    assert.ok(!second.IsTruncated);
    const listed = [...(first.Contents ?? []), ...(second.Contents ?? [])].map((o) => o.Key);
    assert.equal(listed, keys);
  });

  t(`${name}: If-None-Match "*" on an existing key is 412`, async () => {
    const s = get(name);
    if (!s) return;
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "cond.txt", Body: "first" }));
    const code = await status(() => s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "cond.txt", Body: "second", IfNoneMatch: "*" })));
    assert.is(code, 412);
    const fresh = await status(() => s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "cond-new.txt", Body: "x", IfNoneMatch: "*" })));
    assert.is(fresh, 200);
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "cond.txt" }));
    assert.is(await got.Body!.transformToString(), "first");
  });

  t(`${name}: If-Match with a wrong ETag is 412`, async () => {
    const s = get(name);
    if (!s) return;
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "match.txt", Body: "v1" }));
    const wrong = '"00000000000000000000000000000000"';
    assert.is(await status(() => s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "match.txt", Body: "v2", IfMatch: wrong }))), 412);
    assert.is(await status(() => s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "match.txt", IfMatch: wrong }))), 412);
    const got = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: "match.txt" }));
    assert.is(await got.Body!.transformToString(), "v1");
  });

  t(`${name}: which If-Match ETag spelling is accepted (quoted / unquoted)`, async () => {
    const s = get(name);
    if (!s) return;
    const key = "quoting.txt";
    const seen: Record<string, number> = {};
    for (const op of ["PUT", "GET", "HEAD"] as const) {
      for (const spelling of ["quoted", "unquoted"] as const) {
        // A fresh object each time, so a PUT that went through changes nothing.
        const { ETag } = await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "same body" }));
        const etag = spelling === "quoted" ? ETag! : ETag!.replace(/"/g, "");
        seen[`${op} ${spelling}`] = await status(() =>
          op === "PUT"
            ? s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "same body", IfMatch: etag }))
            : op === "GET"
              ? s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }))
              : s.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag })),
        );
      }
    }
    const missing = await status(() =>
      s.client.send(new PutObjectCommand({ Bucket: bucket, Key: "never-written.txt", Body: "x", IfMatch: '"0123456789abcdef0123456789abcdef"' })),
    );
    console.log(`  ${name} If-Match: ${Object.entries(seen).map(([k, v]) => `${k} ${v}`).join(", ")}; PUT on a missing key ${missing}`);
    assert.equal(seen, IF_MATCH[name], `${name} changed how it reads If-Match: update IF_MATCH here and shared/S3-TESTING.md`);
    assert.is(missing, IF_MATCH_MISSING[name], `${name}: PutObject If-Match on a missing key`);
    await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });
}

t("stop() ends every server and closes its port", async () => {
  if (!servers) throw new Error("the servers did not start");
  for (const c of clients.values()) c.destroy();
  clients.clear();
  const ports = servers.servers.map((s) => Number(new URL(s.endpoint).port));
  await servers.stop();
  for (const [i, port] of ports.entries()) {
    assert.is(await portOpen(port), false, `${servers.servers[i]!.name} still listens on ${port}`);
  }
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const sock = connect({ host: "127.0.0.1", port });
    sock.setTimeout(2000);
    sock.once("connect", () => (sock.destroy(), done(true)));
    sock.once("timeout", () => (sock.destroy(), done(true)));
    sock.once("error", () => done(false));
  });
}

t.run();
