/**
 * A small HTTP proxy in front of an S3 server that misbehaves on purpose.
 * Each request draws one fault (or none) from a seeded generator:
 *
 * - `slowDown`: a single 503 SlowDown; the server never sees the request.
 * - `burst500`, `burst503`: this request and the next 1-4 get 500
 *   InternalError / 503 ServiceUnavailable, whoever sends them.
 * - `dropBefore`: the connection is closed before the request is forwarded.
 * - `dropAfter`: the server does the work; the connection is closed before
 *   the answer gets back.
 * - `latency`: the request waits 0.5-3 s before it is forwarded, or its
 *   answer waits as long before it is sent back (half and half).
 * - `cutUpload` (requests with a body): part of the body is forwarded, then
 *   the connection to the server is closed: the server sees a body shorter
 *   than its Content-Length. The client's connection closes (no answer) once
 *   it has sent its body.
 * - `resetUpload` (requests with a body): once the body starts arriving the
 *   client's connection is reset (TCP RST); nothing reaches the server.
 * - `cutResponse` (answers with a body): the server's headers, Content-Length
 *   included, and part of the body are sent back, then the connection closes.
 * - `stall`: the request is read and never answered; the connection stays
 *   open and silent until the client gives up (latency without end).
 * - restarts: at the request numbers in `restartAt`, the server goes away for
 *   1-3 s. By default the proxy plays the server: it closes its listening
 *   socket and every open connection, refuses connections, then listens on
 *   the same port again (what a client sees of a server process restarting
 *   with its data kept). With `restartServer`, that function restarts the
 *   real server instead while the proxy keeps forwarding.
 *
 * Seeded, so a run can be repeated (up to the order in which concurrent
 * requests arrive). Loopback only; it stops with `close()`.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FaultCounts {
  requests: number;
  slowDown: number;
  dropBefore: number;
  dropAfter: number;
  latency: number;
  cutUpload: number;
  resetUpload: number;
  cutResponse: number;
  stall: number;
  /** Bursts started, and the requests answered by them. */
  bursts500: number;
  status500: number;
  bursts503: number;
  status503: number;
  restarts: number;
  /** Connections refused or dropped while the server was down (proxy-played restarts). */
  refusedWhileDown: number;
}

/** Probability per request of each fault; all default to 0. */
export interface FaultRates {
  readonly slowDown?: number;
  readonly dropBefore?: number;
  readonly dropAfter?: number;
  readonly latency?: number;
  readonly cutUpload?: number;
  readonly resetUpload?: number;
  readonly cutResponse?: number;
  readonly stall?: number;
  readonly burst500?: number;
  readonly burst503?: number;
}

/** One fault a request can draw. */
export type FaultKind = (typeof FAULTS)[number] | "none";

export interface FaultProxyOptions extends FaultRates {
  readonly seed: number;
  /** The faults of the first requests, in order (then the rates draw); for tests of one fault. */
  readonly sequence?: readonly FaultKind[];
  /** Restart the server when the proxy has seen this many requests (each number once). */
  readonly restartAt?: readonly number[];
  /** Restart the real server (resolves once it answers again); default: the proxy plays a restart. */
  readonly restartServer?: () => Promise<void>;
  /** Shortest and longest latency spike in ms (default 500-3000). */
  readonly latencyMs?: readonly [number, number];
  /** Shortest and longest time a proxy-played restart refuses connections, in ms (default 1000-3000). */
  readonly downMs?: readonly [number, number];
}

export interface FaultProxy {
  readonly endpoint: string;
  readonly counts: FaultCounts;
  /** What went wrong inside the proxy itself (a restart that failed); empty when all is well. */
  readonly failures: string[];
  /** Stop injecting faults (the proxy keeps forwarding; a restart under way finishes). */
  calm(): void;
  /** Restart the server now (as configured), resolving once it is back. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const FAULTS = ["slowDown", "burst500", "burst503", "dropBefore", "dropAfter", "latency", "cutUpload", "resetUpload", "cutResponse", "stall"] as const;

const ERROR_BODIES = {
  500: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
  503: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>Service is unable to handle request.</Message></Error>',
  slowDown: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
} as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startFaultProxy(target: string, options: FaultProxyOptions): Promise<FaultProxy> {
  const t = new URL(target);
  let x = options.seed >>> 0 || 1;
  const random = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  const between = ([lo, hi]: readonly [number, number]) => lo + random() * (hi - lo);
  const counts: FaultCounts = { requests: 0, slowDown: 0, dropBefore: 0, dropAfter: 0, latency: 0, cutUpload: 0, resetUpload: 0, cutResponse: 0, stall: 0, bursts500: 0, status500: 0, bursts503: 0, status503: 0, restarts: 0, refusedWhileDown: 0 };
  const restartAt = new Set(options.restartAt ?? []);
  const failures: string[] = [];
  let calm = false;
  let down = false;
  let burst: { status: 500 | 503; left: number } | undefined;
  let restarting: Promise<void> | undefined;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  /** A timer that `close()` clears, so nothing fires after the proxy is gone. */
  const later = (ms: number, fn: () => void) => {
    const h = setTimeout(() => (timers.delete(h), fn()), ms);
    timers.add(h);
  };

  const sequence = [...(options.sequence ?? [])];
  const draw = (): FaultKind => {
    const next = sequence.shift();
    if (next !== undefined) return next;
    const roll = random();
    let edge = 0;
    for (const f of FAULTS) {
      edge += options[f] ?? 0;
      if (roll < edge) return f;
    }
    return "none";
  };

  const answerError = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  /** Forward `req` to the server, with `fault` applied to the answer (dropAfter, cutResponse, latency). */
  const forward = (req: IncomingMessage, res: ServerResponse, fault: FaultKind) => {
    if (req.socket.destroyed) return;
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const length = Number(upRes.headers["content-length"] ?? NaN);
      if (fault === "dropAfter") {
        // The server did the work; the client never hears of it.
        counts.dropAfter++;
        upRes.resume();
        upRes.on("end", () => req.socket.destroy());
        return;
      }
      if (fault === "cutResponse" && req.method !== "HEAD" && Number.isSafeInteger(length) && length >= 2) {
        counts.cutResponse++;
        const parts: Buffer[] = [];
        upRes.on("data", (d: Buffer) => parts.push(d));
        upRes.on("end", () => {
          const body = Buffer.concat(parts);
          const keep = Math.max(1, Math.min(body.length - 1, Math.floor(body.length * between([0.1, 0.9]))));
          // Headers promise `length` bytes; fewer come, then the connection closes.
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.write(body.subarray(0, keep), () => req.socket.destroy());
        });
        return;
      }
      const send = () => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      };
      if (fault === "latency" && random() < 0.5) {
        counts.latency++;
        later(between(options.latencyMs ?? [500, 3000]), send);
      } else {
        send();
      }
    });
    up.on("error", () => req.socket.destroy());
    // A client that goes away before its request is sent on takes the upstream request with it.
    res.on("close", () => {
      if (!up.writableFinished) up.destroy();
    });
    req.pipe(up);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    counts.requests++;
    if (restartAt.delete(counts.requests)) restart().catch((e: unknown) => failures.push(`restart at request ${counts.requests}: ${(e as Error).message}`));
    if (down) {
      // A request that arrived on a connection opened just before the listener closed.
      counts.refusedWhileDown++;
      req.socket.destroy();
      return;
    }
    if (burst !== undefined && !calm) {
      const status = burst.status;
      if (--burst.left <= 0) burst = undefined;
      counts[status === 500 ? "status500" : "status503"]++;
      req.resume();
      answerError(res, status, ERROR_BODIES[status]);
      return;
    }
    const fault = calm ? "none" : draw();
    const hasBody = Number(req.headers["content-length"] ?? 0) > 0;
    switch (fault) {
      case "slowDown":
        counts.slowDown++;
        req.resume();
        answerError(res, 503, ERROR_BODIES.slowDown);
        return;
      case "burst500":
      case "burst503": {
        const status = fault === "burst500" ? 500 : 503;
        counts[fault === "burst500" ? "bursts500" : "bursts503"]++;
        counts[status === 500 ? "status500" : "status503"]++;
        burst = { status, left: 1 + Math.floor(random() * 4) };
        req.resume();
        answerError(res, status, ERROR_BODIES[status]);
        return;
      }
      case "dropBefore":
        counts.dropBefore++;
        req.socket.destroy();
        return;
      case "stall":
        counts.stall++;
        req.resume();
        return;
      case "latency":
        if (random() < 0.5) {
          counts.latency++;
          req.pause();
          later(between(options.latencyMs ?? [500, 3000]), () => forward(req, res, "none"));
          return;
        }
        forward(req, res, "latency");
        return;
      case "cutUpload":
      case "resetUpload":
        if (!hasBody) break;
        req.once("data", (first: Buffer) => {
          req.pause();
          if (fault === "resetUpload") {
            counts.resetUpload++;
            req.socket.resetAndDestroy();
            return;
          }
          counts.cutUpload++;
          // Part of what arrived goes to the server, whose connection then closes mid-body.
          const part = first.subarray(0, Math.max(1, Math.floor(first.length * between([0.1, 0.9]))));
          const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers });
          up.on("error", () => undefined);
          up.write(part, () => later(20, () => up.destroy()));
          // The client's side closes once it has sent everything (a FIN, not a reset: nothing is left unread).
          req.on("data", () => undefined);
          req.on("end", () => req.socket.destroy());
          req.resume();
        });
        return;
      default:
        break;
    }
    forward(req, res, fault);
  };

  const server: Server = createServer(handle);
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    if (down) {
      counts.refusedWhileDown++;
      s.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;

  /** Play a restart: every connection gone, nothing listening for a while, then the same port again. */
  const playRestart = async () => {
    down = true;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
    await sleep(between(options.downMs ?? [1000, 3000]));
    if (closed) return;
    for (let i = 0; ; i++) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(port, "127.0.0.1", () => (server.off("error", reject), resolve()));
        });
        break;
      } catch (e) {
        if (i >= 20) throw e;
        await sleep(50);
      }
    }
    down = false;
  };

  const restart = (): Promise<void> => {
    restarting ??= (async () => {
      counts.restarts++;
      try {
        await (options.restartServer ?? playRestart)();
      } finally {
        restarting = undefined;
      }
    })();
    return restarting;
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    failures,
    calm: () => {
      calm = true;
      burst = undefined;
      restartAt.clear();
    },
    restart,
    close: async () => {
      closed = true;
      for (const h of timers) clearTimeout(h);
      timers.clear();
      await restarting?.catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      });
    },
  };
}
