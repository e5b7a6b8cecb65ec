/**
 * The places the RAT tests run against: local disk always, and the real S3
 * servers (moto, Ceph radosgw) that scripts/run-tests.ts started for this
 * run and described in RATZARR_TEST_S3_SERVERS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { RatZarrOptions } from "../../src/rat/rat-zarr.js";
import type { Store } from "../../src/stores/store.js";
import { FileSystemStore } from "../../src/stores/fs.js";
import { S3Store } from "../../src/stores/s3.js";

export interface S3ServerInfo {
  readonly name: string;
  readonly version?: string;
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

export interface Backend {
  readonly name: string;
  /** Options for RatZarr.open (the S3 client configuration for S3 servers). */
  readonly options: RatZarrOptions & { s3?: { clientConfig: object } };
  /** A fresh path where nothing exists yet. */
  newPath(label: string): Promise<string>;
  /** A store on exactly `path` (a folder on disk, a key prefix on S3), for putting or checking keys behind the RAT's back. */
  store(path: string): Store;
}

/** The S3 servers of this run (empty when none were started). */
export function s3Servers(): S3ServerInfo[] {
  const raw = process.env["RATZARR_TEST_S3_SERVERS"];
  return raw ? (JSON.parse(raw) as S3ServerInfo[]) : [];
}

/** Client configuration for one test server. */
export function clientConfig(s: S3ServerInfo) {
  return {
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED" as const,
    responseChecksumValidation: "WHEN_REQUIRED" as const,
  };
}

const localDirs: string[] = [];

/** Remove the local folders newPath made (S3 data goes when its server stops). */
export function removeLocalPaths(): void {
  for (const d of localDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

const buckets = new Map<string, Promise<string>>();
let counter = 0;

/** One bucket per server per process, created on first use. */
function bucketFor(s: S3ServerInfo): Promise<string> {
  let b = buckets.get(s.endpoint);
  if (b === undefined) {
    const name = `ratzarr-test-${process.pid}-${Date.now().toString(36)}`;
    const client = new S3Client({ ...clientConfig(s), maxAttempts: 3 });
    b = client.send(new CreateBucketCommand({ Bucket: name })).then(() => name);
    buckets.set(s.endpoint, b);
  }
  return b;
}

/** Local disk, then every S3 server of this run. */
export async function testBackends(): Promise<Backend[]> {
  const out: Backend[] = [{
    name: "local disk",
    options: {},
    newPath: async (label) => {
      const dir = mkdtempSync(join(tmpdir(), "ratzarr-be-"));
      localDirs.push(dir);
      return join(dir, `${label}.zarr`);
    },
    store: (path) => new FileSystemStore(path),
  }];
  for (const s of s3Servers()) {
    out.push({
      name: s.name,
      options: { s3: { clientConfig: clientConfig(s) } },
      newPath: async (label) => `s3://${await bucketFor(s)}/${label}-${++counter}-${Math.random().toString(36).slice(2, 8)}.zarr`,
      store: (path) => S3Store.fromUrl(path, { clientConfig: clientConfig(s) }),
    });
  }
  return out;
}
