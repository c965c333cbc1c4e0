// The credential gateway: plain HTTP from the sandbox in, the real endpoint over TLS out, the real key added on the way.
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import tls from "node:tls";
import type { Logger } from "../log/logger.js";
import type { NetworkMonitor } from "./events.js";
import type { GatewayRoute } from "./gateway-presets.js";
import { refusal } from "./proxy.js";

export interface GatewayOptions {
  readonly route: GatewayRoute;
  readonly monitor: NetworkMonitor;
  readonly log: Logger;
  /** The port the gateway has inside the sandbox: the only Host a request may name. */
  readonly insidePort: number;
  readonly maxConnections?: number;
  readonly headTimeoutMs?: number;
  /** Certificates to trust for the upstream besides the usual ones (the bridge itself relies on NODE_EXTRA_CA_CERTS). */
  readonly upstreamCa?: string | Buffer | undefined;
}

export interface Gateway {
  handle(client: Socket): void;
  close(): void;
}

/** Headers never passed on: hop-by-hop ones, the proxy's, and every credential the agent might send itself. */
const DROPPED = new Set(["host", "connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "upgrade", "transfer-encoding", "x-api-key", "authorization", "x-goog-api-key"]);

function reject(res: http.ServerResponse, status: number, reason: string): void {
  const body = `acp-sandbox: ${reason}\n`;
  res.writeHead(status, { "x-proxy-error": reason.replace(/[^\x20-\x7e]/g, "?"), "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(body);
}

export function createGateway(options: GatewayOptions): Gateway {
  const { route, monitor, log, insidePort } = options;
  const upstreamPort = Number(route.upstream.port) || (route.upstream.protocol === "https:" ? 443 : 80);
  const client = route.upstream.protocol === "https:" ? https : http;
  // A secure context made once: a `ca` option would be folded into the pool key of every request.
  const secureContext = options.upstreamCa ? tls.createSecureContext({ ca: [...tls.rootCertificates, options.upstreamCa.toString()] }) : undefined;
  const agent = new client.Agent({ keepAlive: true, maxSockets: 64, ...(secureContext ? { secureContext } : {}) });
  const allowedHosts = new Set([`127.0.0.1:${insidePort}`, `localhost:${insidePort}`, `[::1]:${insidePort}`]);
  const maxConnections = options.maxConnections ?? 128;
  const open = new Set<Socket>();

  const server = http.createServer({ requestTimeout: 0, headersTimeout: options.headTimeoutMs ?? 10_000, keepAliveTimeout: 30_000 }, (req, res) => {
    const host = (req.headers.host ?? "").toLowerCase();
    if (!req.url?.startsWith("/") || !allowedHosts.has(host)) {
      const aimed = req.url?.startsWith("/") ? host || "no Host" : req.url?.slice(0, 100) ?? "";
      const reason = `the ${route.preset} gateway serves only http://127.0.0.1:${insidePort} (${route.upstream.host}); this request was aimed at ${aimed}`;
      monitor.emit({ kind: "denied", method: "GATEWAY", host: host || "?", port: insidePort, reason });
      return reject(res, 421, reason);
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!DROPPED.has(name) && value !== undefined) headers[name] = value;
    Object.assign(headers, route.headers, { host: route.upstream.host });
    const forwarded = client.request(
      { protocol: route.upstream.protocol, hostname: route.upstream.hostname, port: upstreamPort, method: req.method, path: req.url, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage ?? "", answer.headers);
        res.flushHeaders();
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    monitor.emit({ kind: "allowed", method: "GATEWAY", host: route.upstream.hostname, port: upstreamPort, rule: `the ${route.preset} gateway` });
    forwarded.setNoDelay(true);
    forwarded.on("error", (error: NodeJS.ErrnoException) => {
      const reason = `the ${route.preset} gateway cannot reach ${route.upstream.host} (${error.code ?? error.message})`;
      log.warn(`network: ${reason}`);
      if (!res.headersSent) reject(res, 502, reason);
      else res.destroy();
    });
    req.pipe(forwarded);
    res.on("close", () => {
      if (!res.writableFinished) forwarded.destroy();
    });
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end(refusal(400, "malformed request to the gateway"));
    else socket.destroy();
  });

  return {
    handle(socket) {
      socket.on("error", () => {});
      socket.setNoDelay(true);
      if (open.size >= maxConnections) {
        socket.end(refusal(503, `too many connections to the gateway at once (the limit is ${maxConnections})`));
        return;
      }
      open.add(socket);
      socket.once("close", () => open.delete(socket));
      server.emit("connection", socket);
    },
    close() {
      for (const socket of open) socket.destroy();
      agent.destroy();
      server.close();
    },
  };
}
