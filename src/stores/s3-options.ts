/**
 * The options of an S3 store, without the AWS SDK's types: what
 * `RatZarr.open("s3://…", { s3 })` takes in the core, which must not name the
 * SDK (it loads only for s3:// paths). The S3 store narrows `client` and
 * `clientConfig` to the SDK's types.
 */

export interface S3RetryOptions {
  /** Tries per request, the first included (default 8). */
  readonly maxAttempts?: number;
  /** First backoff in ms (default 50); doubles each try, with full jitter. */
  readonly baseDelayMs?: number;
  /** Longest single backoff in ms (default 4000). */
  readonly maxDelayMs?: number;
  /** Give up once a request has been retried for this long, in ms (default 60000). */
  readonly maxTotalMs?: number;
}

/** How an S3 store talks to its server; `Client`/`ClientConfig` are the SDK's types in the S3 store itself. */
export interface S3PathOptions<Client = unknown, ClientConfig = object> {
  /** A ready client (its configuration is used as it is). */
  readonly client?: Client;
  /** Client configuration merged over the defaults (endpoint, region, credentials...). */
  readonly clientConfig?: ClientConfig;
  readonly retry?: S3RetryOptions;
  /** Chunk requests in flight per call (default 16: S3 wants more than a local disk). */
  readonly concurrency?: number;
  /**
   * For servers without conditional writes (they answer 501): write unconditionally.
   * Then only one writer at a time is safe. Default false: such a server is an error.
   */
  readonly unsafeConcurrentWrites?: boolean;
  /**
   * Make every plain write conditional too: read the key's ETag (HEAD), then write with
   * `If-Match` (`If-None-Match: *` when missing), again on a refusal. Costs a HEAD per write.
   * Default false. Turn it on for Ceph radosgw (measured on 16.2.15): there a conditional PUT
   * that races an unconditional PUT of the same key can succeed on the ETag the other PUT had
   * just replaced, so another writer's read-modify-write of a chunk undoes a whole-chunk write
   * that had already been acknowledged. Conditional against conditional is atomic there.
   */
  readonly conditionalSets?: boolean;
}
