/**
 * Over real S3 servers (moto and Ceph radosgw): a RAT written to S3 by this
 * library is read back from S3 by zarr-python 3.1.x through fsspec/s3fs, and
 * a RAT written to S3 by zarr-python the way Python ratzarr writes it is read
 * here.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { RatZarr, type ColumnDataType } from "../../src/node/index.js";
import type { JsonValue } from "../../src/codecs/codec.js";
import { PythonHelper, type S3Target } from "../harness/python.js";
import { fromJsonValues, sampleColumn, toJsonValues } from "../harness/values.js";
import { assertSameValues } from "../../test/helpers/values.js";
import { clientConfig, s3Servers } from "../../test/helpers/backends.js";
import { s3Client } from "../../test/helpers/s3-servers.js";

const t = suite("conformance over S3");
let py: PythonHelper;
t.before(async () => {
  py = await PythonHelper.start();
});
t.after(async () => {
  await py.close();
});
const TYPES: ColumnDataType[] = ["bool", "int32", "int64", "uint16", "float32", "float64", "string"];
const ROWS = 17, CHUNK = 5;

for (const server of s3Servers()) {
  const target: S3Target = { endpoint: server.endpoint, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, region: server.region };
  const s3 = { clientConfig: clientConfig(server) };
  let bucket = "";
  const path = async (label: string) => {
    if (bucket === "") {
      bucket = `ratzarr-conf-${Date.now().toString(36)}`;
      await s3Client(server).send(new CreateBucketCommand({ Bucket: bucket }));
    }
    return `s3://${bucket}/${label}.zarr`;
  };

  t(`${server.name}: ratzarr writes to S3, zarr-python reads it from S3`, async () => {
    const url = await path("ts");
    const rz = await RatZarr.open(url, { s3, provenance: { user: "ts", argv: ["ts"] }, onWarning: () => undefined });
    await rz.setChunkSize(CHUNK);
    await rz.setRowCount(ROWS);
    const written: Record<string, ReturnType<typeof sampleColumn>> = {};
    for (const [i, dt] of TYPES.entries()) {
      const width = dt === "uint16" ? 3 : 1;
      await rz.createColumn(dt, dt, { width });
      written[dt] = sampleColumn(dt, ROWS, width, i + 1);
      await rz.writeBlock(dt, written[dt]!.slice(0, 7 * width) as never, 0);
      await rz.writeBlock(dt, written[dt]!.slice(7 * width) as never, 7);
    }
    await (await rz.getRatAttributeMapping()).set("where", "s3 ✓");
    await rz.close();
    const d = await py.dump(url, target);
    assert.is(d.attributes["ROWCOUNT"], ROWS);
    assert.is(d.attributes["where"], "s3 ✓");
    for (const dt of TYPES) {
      assert.is(d.columns[dt]!.dtype, dt);
      assertSameValues(fromJsonValues(dt, d.columns[dt]!.values), written[dt]!, dt);
      assert.equal((d.columns[dt]!.attributes["MODIFICATIONLOG"] as JsonValue[][]).map((e) => e[1]), ["ts"]);
    }
  });

  t(`${server.name}: zarr-python writes to S3 the Python-ratzarr way, ratzarr reads it from S3`, async () => {
    const url = await path("py");
    const p = await py.open(url, { s3: target, user: "py", argv: ["py"] });
    await p.call("setChunkSize", CHUNK);
    await p.call("setRowCount", ROWS);
    const written: Record<string, JsonValue[]> = {};
    for (const [i, dt] of TYPES.entries()) {
      const width = dt === "uint16" ? 2 : 1;
      written[dt] = toJsonValues(dt, sampleColumn(dt, ROWS, width, 50 + i));
      await p.call("createColumn", dt, dt, width);
      await p.call("writeBlock", dt, written[dt]!, 0);
    }
    await p.call("setRatAttribute", "from", "python");
    await p.close();
    const r = await RatZarr.open(url, { s3, readOnly: true });
    assert.is(r.getRowCount(), ROWS);
    assert.equal(await r.getColumnNames(), [...TYPES].sort());
    assert.is((await r.getRatAttributeMapping()).get("from"), "python");
    for (const dt of TYPES) {
      assertSameValues(await r.readBlock(dt, 0, ROWS), fromJsonValues(dt, written[dt]!), dt);
      assert.equal((await r.getModificationLog(dt)).map((e) => e[1]), ["py"]);
    }
  });
}

t.run();
