/**
 * The floor under the S3 benchmarks: what the local S3 servers (moto, Ceph
 * radosgw, started as in the tests) do with PUTs and GETs of 455 KB objects,
 * the size of one compressed 4 MB float64 chunk of the benchmark data, through
 * this library's S3Store with no codec work and no counting proxy, 1, 4 and 16
 * requests at a time. MB/s are counted in 4 MB chunks, as the benchmark does.
 *
 *   node --import tsx bench/s3_floor.ts
 */
import { startS3Servers, makeBucket } from "../test/helpers/s3-servers.js";
import { S3Store } from "../src/stores/s3.js";
import { mapLimit } from "../src/format/concurrency.js";
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";
const s3 = await startS3Servers({ moto: true, ceph: true });
const body = new Uint8Array(455_000).map((_, i) => (i * 2654435761) >>> 24);
try {
  for (const server of s3.servers) {
    const bucket = `floor${Date.now().toString(36)}`;
    await makeBucket(server, bucket);
    const store = S3Store.fromUrl(`s3://${bucket}/x`, { clientConfig: { endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } } } as never);
    for (const conc of [1, 4, 16]) {
      const keys = Array.from({ length: 40 }, (_, i) => `k${conc}/${i}`);
      let t = performance.now();
      await mapLimit(keys, conc, (k) => store.set(k, body));
      const put = performance.now() - t;
      t = performance.now();
      await mapLimit(keys, conc, (k) => store.get(k));
      const get = performance.now() - t;
      console.log(`${server.name} concurrency ${conc}: PUT ${(put / 40).toFixed(1)} ms/object (${(40 * 4 / (put / 1000)).toFixed(0)} MB/s of 4 MB chunks), GET ${(get / 40).toFixed(1)} ms/object (${(40 * 4 / (get / 1000)).toFixed(0)} MB/s)`);
    }
  }
} finally {
  await s3.stop();
}
