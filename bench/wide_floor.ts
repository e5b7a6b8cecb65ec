/**
 * Wide RAT on one S3 server (issue 15): 300 float64 columns of 100000 rows; a fresh handle lists
 * the columns and reads one row of each, three times, with the requests counted by a proxy; then
 * the floor: the same number of GETs straight through the AWS SDK (50 sockets).
 *   node --import tsx bench/wide_floor.ts [moto|ceph]
 */
import { startS3Servers, makeBucket, s3Client } from "../test/helpers/s3-servers.js";
import { startFaultProxy } from "../test/helpers/fault-proxy.js";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { RatZarr } from "../src/node/index.js";
const which = (process.argv[2] ?? "moto") as "moto" | "ceph";
const s3 = await startS3Servers({ moto: which === "moto", ceph: which === "ceph" });
const server = s3.servers[0]!;
const bucket = "probe" + Date.now().toString(36);
await makeBucket(server, bucket);
const proxy = await startFaultProxy(server.endpoint, { seed: 1, slowDown: 0, dropBefore: 0, dropAfter: 0 });
const cfg = { s3: { clientConfig: { endpoint: proxy.endpoint, region: server.region, forcePathStyle: true, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, requestChecksumCalculation: "WHEN_REQUIRED" as const, responseChecksumValidation: "WHEN_REQUIRED" as const } } };
const path = `s3://${bucket}/w.zarr`;
const N = 300, ROWS = 100000;
{
  const rz = await RatZarr.open(path, cfg);
  await rz.setRowCount(ROWS);
  await Promise.all(Array.from({ length: N }, async (_, i) => { await rz.createColumn(`c${i}`, "float64"); await rz.writeBlock(`c${i}`, Float64Array.from({ length: ROWS }, (_, r) => r + i), 0); }));
  await rz.close();
}
for (let k = 0; k < 3; k++) {
  const r0 = proxy.counts.requests; const t0 = performance.now();
  const rz = await RatZarr.open(path, { ...cfg, readOnly: true });
  const t1 = performance.now();
  const names = await rz.getColumnNames();
  const t2 = performance.now();
  await Promise.all(names.map((n) => rz.readBlock(n, 33333, 1)));
  const t3 = performance.now();
  console.log(`fresh one-row: open ${(t1 - t0).toFixed(0)} ms, names ${(t2 - t1).toFixed(0)} ms, reads ${(t3 - t2).toFixed(0)} ms, total ${(t3 - t0).toFixed(0)} ms, ${proxy.counts.requests - r0} requests`);
  const t4 = performance.now();
  await Promise.all(names.map((n) => rz.readBlock(n, 44444, 1)));
  console.log(`  second click (same handle): ${(performance.now() - t4).toFixed(0)} ms`);
  await rz.close();
}
// Floor: 600 GETs straight with the SDK, 50 sockets.
const client = s3Client({ ...server, endpoint: proxy.endpoint });
const keys = Array.from({ length: N }, (_, i) => [`w.zarr/RAT/c${i}/zarr.json`, `w.zarr/RAT/c${i}/c/0`]).flat();
for (let k = 0; k < 2; k++) {
  const t0 = performance.now();
  await Promise.all(keys.map(async (Key) => { const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key })); await r.Body!.transformToByteArray(); }));
  console.log(`floor: ${keys.length} GETs in ${(performance.now() - t0).toFixed(0)} ms`);
}
await proxy.close(); await s3.stop();
