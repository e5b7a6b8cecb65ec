/**
 * Real S3 servers for tests: moto (server mode, from .venv) and a single-node
 * Ceph radosgw, started by scripts/s3/moto.sh and scripts/s3/ceph.sh on free
 * loopback ports, each under its own temporary folder.
 *
 * A server that cannot be had here (no Python, no apt, not root, install or
 * start failed) is listed in `skipped` with the reason. In CI (`CI=true`) on a
 * Debian machine with apt-get and root both must run: a failure throws.
 *
 * Daemons are killed by `stop()`, and also, by their saved PIDs, when the
 * process exits or is interrupted; the scripts also watch this process and
 * stop their daemons if it disappears without either.
 */
import { execFile, spawn } from "node:child_process";
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

export type S3ServerName = "moto" | "ceph";

export interface S3Server {
  name: S3ServerName;
  version: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface S3Servers {
  servers: S3Server[];
  skipped: { name: string; reason: string }[];
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, "../..");
const SCRIPTS = { moto: join(root, "scripts/s3/moto.sh"), ceph: join(root, "scripts/s3/ceph.sh") };
const REGION = "us-east-1";
/** moto takes any key pair; Ceph's test user is created with this one. */
const CREDENTIALS = {
  moto: { accessKeyId: "testing", secretAccessKey: "testing" },
  ceph: { accessKeyId: "RATZARRTESTACCESSKEY", secretAccessKey: "ratzarr/test/secret/key/0123456789abcdef" },
} as const;
/** PID files each script leaves in its folder, and a word their command lines contain. */
const PID_FILES = { moto: ["moto.pid", "watchdog.pid"], ceph: ["rgw.pid", "osd.pid", "mon.pid", "watchdog.pid"] } as const;

const MINUTE = 60_000;

/** An S3 client for one of these servers (path-style, checksums only when required). */
export function s3Client(server: Pick<S3Server, "endpoint" | "accessKeyId" | "secretAccessKey">): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: REGION,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Create bucket `name` (a valid S3 bucket name) on `server`. */
export async function makeBucket(server: S3Server, name: string): Promise<void> {
  const client = s3Client(server);
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
}

/** Start the servers asked for (both by default). */
export async function startS3Servers(opts: { moto?: boolean; ceph?: boolean } = {}): Promise<S3Servers> {
  const wanted: S3ServerName[] = [];
  if (opts.moto ?? true) wanted.push("moto");
  if (opts.ceph ?? true) wanted.push("ceph");
  const strict = strictHere();
  const running: Running[] = [];
  const skipped: { name: string; reason: string }[] = [];

  // One more try on a fresh folder and port when a start fails for a reason other than
  // "not available here" (seen once: moto exiting before it answered, with no log).
  const startTwice = async (name: S3ServerName): Promise<void> => {
    try {
      await startOne(name, running);
    } catch (e) {
      if (e instanceof Unavailable) throw e;
      await startOne(name, running);
    }
  };
  const results = await Promise.allSettled(wanted.map(startTwice));
  const failures: string[] = [];
  results.forEach((r, i) => {
    const name = wanted[i]!;
    if (r.status === "fulfilled") return;
    const reason = r.reason instanceof Error ? r.reason.message : String(r.reason);
    if (strict && !(r.reason instanceof Unavailable && r.reason.evenInCI)) failures.push(`${name}: ${reason}`);
    else skipped.push({ name, reason });
  });

  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= Promise.all(running.map(stopOne)).then(() => undefined));
  if (failures.length > 0) {
    await stop();
    throw new Error(`S3 test servers must all run in CI (CI=true, Debian, apt-get, root), but:\n${failures.join("\n")}`);
  }
  // Keep the order asked for, whatever finished first.
  const servers = wanted.flatMap((n) => running.filter((r) => r.name === n && r.server).map((r) => r.server!));
  return { servers, skipped, stop };
}

/**
 * Restart the radosgw daemon of the Ceph server at `endpoint` alone, as a crash would: SIGKILL,
 * `downMs` with nothing listening, then the same command line again; resolves once it answers
 * HTTP. Its data lives in the OSD, which keeps running, so nothing stored is lost. Only for a
 * Ceph server this process started (moto keeps its data in its own memory: it cannot be restarted).
 */
export async function restartRadosgw(endpoint: string, downMs: number): Promise<void> {
  const entry = [...live].find((e) => e.name === "ceph" && e.server?.endpoint === endpoint);
  if (entry === undefined) throw new Error(`no Ceph server started by this process answers at ${endpoint}`);
  const pidFile = join(entry.dir, "rgw.pid");
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 1 || !ours(pid, entry)) throw new Error(`radosgw of ${endpoint} is not running (pid file says ${pid})`);
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
  process.kill(pid, "SIGKILL");
  for (let i = 0; ours(pid, entry); i++) {
    if (i > 100) throw new Error(`radosgw ${pid} did not exit within 5 s of SIGKILL`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, downMs));
  const log = openSync(join(entry.dir, "log", "rgw.out"), "a");
  try {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["ignore", log, log] });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${argv.join(" ")}`);
    writeFileSync(pidFile, String(child.pid));
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`radosgw at ${endpoint} did not answer within 30 s of its restart`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

// ---------------------------------------------------------------------------

/** A server that cannot be had on this machine; `evenInCI` when CI cannot be blamed either. */
class Unavailable extends Error {
  constructor(message: string, readonly evenInCI = false) {
    super(message);
  }
}

interface Running {
  name: S3ServerName;
  dir: string;
  port: number;
  server?: S3Server;
}

/** Folders of started servers that are not stopped yet, for the exit handlers. */
const live = new Set<Running>();

async function startOne(name: S3ServerName, running: Running[]): Promise<void> {
  if (process.platform !== "linux") throw new Unavailable(`needs Linux (this is ${process.platform})`, true);
  if (name === "ceph") await ensureCeph();
  else if (!onPath("python3") && !existsSync(join(root, ".venv/bin/python"))) throw new Unavailable("python3 not found on PATH");

  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `ratzarr-${name}-`));
  const entry: Running = { name, dir, port };
  running.push(entry);
  live.add(entry);
  installExitHandlers();

  try {
    let line: string;
    try {
      line = await run(SCRIPTS[name], ["start", dir, String(port)], name === "moto" ? 20 * MINUTE : 2 * MINUTE);
    } catch (e) {
      throw new Error(`could not start: ${(e as Error).message}`);
    }
    // `moto 5.2.1 http://127.0.0.1:PORT` / `ceph radosgw 16.2.15 http://127.0.0.1:PORT`
    const m = /^(?:moto|ceph radosgw) (\S+) (http:\/\/\S+)$/m.exec(line);
    if (!m) throw new Error(`unexpected output from ${SCRIPTS[name]} start: ${JSON.stringify(line)}`);
    const server: S3Server = { name, version: m[1]!, endpoint: m[2]!, region: REGION, ...CREDENTIALS[name] };
    try {
      await warmUp(server);
    } catch (e) {
      throw new Error(`started, but the warm-up requests failed: ${(e as Error).message}`);
    }
    entry.server = server;
  } catch (e) {
    // Leave nothing running for a server that is not handed out.
    running.splice(running.indexOf(entry), 1);
    await stopOne(entry);
    throw e;
  }
}

/** Install radosgw when it is missing and this machine can. */
async function ensureCeph(): Promise<void> {
  if (onPath("radosgw") && onPath("ceph-mon") && onPath("ceph-osd") && onPath("ceph") && onPath("uuidgen")) return;
  if (!onPath("apt-get")) throw new Unavailable("radosgw is not installed and there is no apt-get to install it", true);
  if (process.getuid?.() !== 0) throw new Unavailable("radosgw is not installed and installing it needs root", true);
  try {
    await run(SCRIPTS.ceph, ["install"], 15 * MINUTE);
  } catch (e) {
    throw new Error(`could not install radosgw: ${(e as Error).message}`);
  }
}

/** First requests to radosgw are slow (pools are made on demand): make them here, leave nothing behind. */
async function warmUp(server: S3Server): Promise<void> {
  const client = s3Client(server);
  const bucket = `ratzarr-warmup-${Date.now().toString(36)}`;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "warmup", Body: "warm" }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "warmup" }));
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

async function stopOne(entry: Running): Promise<void> {
  try {
    await run(SCRIPTS[entry.name], ["stop", entry.dir], MINUTE);
  } catch {
    killSync(entry); // the script failed: kill by PID, hard
  }
  killSync(entry); // no-op when the script did its job
  live.delete(entry);
  rmSync(entry.dir, { recursive: true, force: true });
}

/** Strict mode: CI on a Debian machine where both servers can be installed. */
function strictHere(): boolean {
  return process.env.CI === "true" && existsSync("/etc/debian_version") && onPath("apt-get") && process.getuid?.() === 0;
}

function onPath(cmd: string): boolean {
  for (const d of (process.env.PATH ?? "").split(delimiter)) {
    if (!d) continue;
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? ok(addr.port) : fail(new Error("no port"))));
    });
  });
}

/** Run a script; resolve with its stdout, reject with its stderr's last lines. */
function run(script: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(
      "bash",
      [script, ...args],
      {
        cwd: root,
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 16 << 20,
        env: {
          ...process.env,
          DEBIAN_FRONTEND: "noninteractive",
          S3_OWNER_PID: String(process.pid),
          CEPH_S3_ACCESS_KEY: CREDENTIALS.ceph.accessKeyId,
          CEPH_S3_SECRET_KEY: CREDENTIALS.ceph.secretAccessKey,
        },
      },
      (err, stdout, stderr) => {
        if (!err) return ok(stdout.trim());
        const tail = stderr.trim().split("\n").slice(-30).join("\n");
        const why = err.killed ? `timed out after ${timeoutMs / 1000}s` : `exit code ${err.code}`;
        fail(new Error(`${script} ${args.join(" ")}: ${why}${tail ? `\n${tail}` : ""}`));
      },
    );
  });
}

/** Kill a server's processes by their saved PIDs, at once (for exit handlers and as a last resort). */
function killSync(entry: Running): void {
  for (const file of PID_FILES[entry.name]) {
    let pid: number;
    try {
      pid = Number(readFileSync(join(entry.dir, file), "utf8").trim());
    } catch {
      continue;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !ours(pid, entry)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

/** Is `pid` still the process a script started (not a reused PID)? */
function ours(pid: number, entry: Running): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    return cmd.includes(entry.dir) || (entry.name === "moto" && cmd.includes("moto.server") && cmd.includes(` -p ${entry.port}`));
  } catch {
    return false;
  }
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const killAll = () => {
    for (const entry of live) {
      killSync(entry);
      try {
        rmSync(entry.dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
    live.clear();
  };
  process.on("exit", killAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig); // the default action, now that this handler is gone
    });
  }
}
