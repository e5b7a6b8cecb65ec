/**
 * A small HTTP proxy in front of an S3 server that misbehaves on purpose:
 * some requests get a 503 SlowDown, some connections are dropped before the
 * request reaches the server, and some after the server has done the work
 * but before the answer gets back. Seeded, so a run can be repeated.
 * Loopback only; it stops with `close()`.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FaultCounts {
  requests: number;
  slowDown: number;
  dropBefore: number;
  dropAfter: number;
}

export interface FaultProxy {
  readonly endpoint: string;
  readonly counts: FaultCounts;
  /** Stop injecting faults (the proxy keeps forwarding). */
  calm(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, options: { seed: number; slowDown: number; dropBefore: number; dropAfter: number }): Promise<FaultProxy> {
  const t = new URL(target);
  let x = options.seed >>> 0 || 1;
  const random = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  const counts: FaultCounts = { requests: 0, slowDown: 0, dropBefore: 0, dropAfter: 0 };
  let calm = false;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    counts.requests++;
    const roll = calm ? 1 : random();
    if (roll < options.slowDown) {
      counts.slowDown++;
      req.resume();
      res.writeHead(503, { "content-type": "application/xml" });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    if (roll < options.slowDown + options.dropBefore) {
      counts.dropBefore++;
      req.socket.destroy();
      return;
    }
    const dropAfter = roll < options.slowDown + options.dropBefore + options.dropAfter;
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      if (dropAfter) {
        // The server did the work; the client never hears of it.
        counts.dropAfter++;
        upRes.resume();
        upRes.on("end", () => req.socket.destroy());
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on("error", () => req.socket.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    calm: () => {
      calm = true;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
