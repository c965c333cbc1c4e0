// The allowlisting HTTP proxy: CONNECT and absolute-form requests, one lookup per connection, the checked address dialled.
import net, { isIP, type Socket } from "node:net";
import type { Logger } from "../log/logger.js";
import { allowsExactAddress, decideConnection, deniesAddress, type NetworkRules } from "../policy/network-rules.js";
import { classifyAddress, unmapped } from "./addresses.js";
import type { NetworkMonitor } from "./events.js";
import { header, type RequestHead, readHead } from "./request-head.js";
import type { Resolver } from "./resolve.js";

export interface ProxyOptions {
  readonly rules: NetworkRules;
  readonly monitor: NetworkMonitor;
  readonly log: Logger;
  readonly resolve: Resolver;
  /** Connections served at once; more are refused with 503. */
  readonly maxConnections?: number;
  /** A client must send its whole request head within this. */
  readonly headTimeoutMs?: number;
  readonly maxHeadBytes?: number;
  /** An upstream must accept the connection within this. */
  readonly connectTimeoutMs?: number;
  /** A tunnel with no traffic either way for this long is closed. */
  readonly idleTimeoutMs?: number;
}

export interface Proxy {
  /** Serves one client connection (from the sandbox's side of the channel). */
  handle(client: Socket): void;
  /** Connections open now. */
  active(): number;
  /** Closes every connection. */
  close(): void;
}

interface Target {
  readonly host: string;
  readonly port: number;
}

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 403: "Forbidden", 408: "Request Timeout", 431: "Request Header Fields Too Large", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };

/** A refusal: the status, `X-Proxy-Error` with the reason, and a body naming the rule and the fix. */
export function refusal(status: number, reason: string, body = reason): string {
  const ascii = (s: string) => s.replace(/…/g, "...").replace(/[^\x20-\x7e]/g, "?");
  const text = `acp-sandbox: ${body}\n`;
  return (
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n` +
    `X-Proxy-Error: ${ascii(reason)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`
  );
}

function parsePort(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined || text === "") return fallback;
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** `host:port` or `[v6]:port` (CONNECT's authority form); the port is required. */
export function parseAuthority(text: string): Target | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const host = (m[1] ?? m[2]!).toLowerCase();
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  if (m[2] !== undefined && !/^[a-z0-9.-]+$/.test(host)) return undefined;
  const port = parsePort(m[3], 0);
  return port ? { host, port } : undefined;
}

/** The host and port a Host header names (its port defaulting to `defaultPort`). */
function hostHeaderTarget(value: string, defaultPort: number): Target | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(value);
  if (!m) return undefined;
  const port = parsePort(m[3], defaultPort);
  return port ? { host: (m[1] ?? m[2]!).toLowerCase(), port } : undefined;
}

function sameTarget(a: Target, b: Target): boolean {
  return a.port === b.port && a.host.replace(/\.$/, "") === b.host.replace(/\.$/, "");
}

/** Writes the last bytes and closes; a client that never closes its side is cut off shortly after. */
function finish(client: Socket, text: string): void {
  client.end(text);
  client.resume();
  setTimeout(() => client.destroy(), 2_000).unref();
}

function fixFor(host: string, port: number): string {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  return port === 443 || port === 80 ? h : `${h}:${port}`;
}

export function createProxy(options: ProxyOptions): Proxy {
  const { rules, monitor, log, resolve } = options;
  const maxConnections = options.maxConnections ?? 256;
  const headTimeoutMs = options.headTimeoutMs ?? 10_000;
  const maxHeadBytes = options.maxHeadBytes ?? 32 * 1024;
  const connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60_000;
  const open = new Set<Socket>();
  let warnedFull = false;

  const deny = (client: Socket, method: string, target: Target, reason: string, fix?: string) => {
    monitor.emit({ kind: "denied", method, host: target.host, port: target.port, reason, ...(fix ? { fix } : {}) });
    const body = `${method} ${target.host}:${target.port} denied (${reason})${fix ? `; allow it with --allow-host ${fix}` : ""}`;
    finish(client, refusal(403, reason, body));
  };
  const bad = (client: Socket, status: number, reason: string) => {
    log.debug(`network: refused a request (${reason})`);
    finish(client, refusal(status, reason));
  };

  /** The address to dial, or why not: a deny entry naming it, or a class only an exact IP entry lets through. */
  const choose = async (target: Target): Promise<{ address: string } | { reason: string; fix?: string; status: number }> => {
    let addresses: string[];
    if (isIP(target.host)) addresses = [target.host];
    else {
      try {
        addresses = await resolve(target.host);
      } catch (error) {
        return { status: 502, reason: `cannot resolve ${target.host} (${(error as NodeJS.ErrnoException).code ?? "lookup failed"})` };
      }
    }
    let first: { reason: string; fix?: string; status: number } | undefined;
    for (const raw of addresses) {
      const address = unmapped(raw);
      const denied = deniesAddress(rules, address, target.port);
      if (denied) {
        first ??= { status: 403, reason: `${target.host} resolves to ${address}, denied by --deny-host ${denied.source}` };
        continue;
      }
      const cls = classifyAddress(address);
      if (cls === "public" || allowsExactAddress(rules, address, target.port)) return { address };
      first ??= {
        status: 403,
        reason: `${target.host} resolves to a ${cls} address (${address}); only an allow entry naming that exact address lets it through`,
        fix: fixFor(address, target.port),
      };
    }
    return first ?? { status: 502, reason: `${target.host} has no address` };
  };

  const dial = (address: string, port: number): Promise<Socket> =>
    new Promise((resolveDial, reject) => {
      const upstream = net.connect({ host: address, port, noDelay: true });
      const timer = setTimeout(() => {
        upstream.destroy();
        reject(new Error(`no answer within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      upstream.once("connect", () => {
        clearTimeout(timer);
        upstream.off("error", onError);
        resolveDial(upstream);
      });
      const onError = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(error.code ?? error.message));
      };
      upstream.once("error", onError);
    });

  const splice = (client: Socket, upstream: Socket) => {
    upstream.setTimeout(idleTimeoutMs, () => upstream.destroy());
    client.setTimeout(idleTimeoutMs, () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
    client.resume();
  };

  const serve = async (client: Socket, head: RequestHead) => {
    let method: string;
    let target: Target;
    let forwardHead: Buffer | undefined;
    if (head.method === "CONNECT") {
      method = "CONNECT";
      const parsed = parseAuthority(head.target);
      if (!parsed) return bad(client, 400, `CONNECT target must be host:port, got ${JSON.stringify(head.target.slice(0, 100))}`);
      target = parsed;
      const host = header(head, "host");
      if (host !== undefined) {
        const named = hostHeaderTarget(host.toLowerCase(), target.port);
        if (!named || !sameTarget(named, target)) return bad(client, 400, `the Host header (${host.slice(0, 100)}) disagrees with the CONNECT target ${head.target}`);
      }
    } else {
      method = head.method;
      let url: URL;
      try {
        url = new URL(head.target);
      } catch {
        return bad(client, 400, "not a proxy request: send CONNECT host:port, or an absolute http:// URL");
      }
      if (url.protocol !== "http:") return bad(client, 400, `absolute-form requests must be http://; for ${url.protocol} use CONNECT`);
      if (url.username || url.password) return bad(client, 400, "credentials in the URL are not forwarded");
      const port = parsePort(url.port, 80);
      if (!port) return bad(client, 400, "bad port in the URL");
      target = { host: url.hostname.replace(/^\[|\]$/g, "").toLowerCase(), port };
      const host = header(head, "host");
      if (host !== undefined) {
        const named = hostHeaderTarget(host.toLowerCase(), 80);
        if (!named || !sameTarget(named, target)) return bad(client, 400, `the Host header (${host.slice(0, 100)}) disagrees with the request's URL ${url.host}`);
      }
      const kept = head.headers.filter(([name]) => !name.startsWith("proxy-") && name !== "connection" && name !== "keep-alive");
      const lines = [`${method} ${url.pathname}${url.search} HTTP/${head.version}`, ...kept.map(([n, v]) => `${n}: ${v}`), "connection: close"];
      if (!kept.some(([n]) => n === "host")) lines.splice(1, 0, `host: ${url.host}`);
      forwardHead = Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1");
    }
    const decision = decideConnection(rules, target.host, target.port);
    if (decision.verdict === "deny") {
      const fix = decision.reason.startsWith("denied by") ? undefined : fixFor(target.host, target.port);
      return deny(client, method, target, decision.reason, fix);
    }
    const chosen = await choose(target);
    if ("reason" in chosen) {
      if (chosen.status === 403) return deny(client, method, target, chosen.reason, chosen.fix);
      monitor.emit({ kind: "denied", method, host: target.host, port: target.port, reason: chosen.reason });
      return finish(client, refusal(chosen.status, chosen.reason, `${method} ${target.host}:${target.port} failed (${chosen.reason})`));
    }
    if (client.destroyed) return;
    let upstream: Socket;
    try {
      upstream = await dial(chosen.address, target.port);
    } catch (error) {
      const reason = `cannot connect to ${target.host}:${target.port} (${(error as Error).message})`;
      log.debug(`network: ${reason}`);
      return finish(client, refusal(502, reason));
    }
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    monitor.emit({ kind: "allowed", method, host: target.host, port: target.port, rule: decision.rule.source });
    if (forwardHead) upstream.write(forwardHead);
    else client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.rest.length) upstream.write(head.rest);
    splice(client, upstream);
  };

  return {
    handle(client) {
      client.on("error", () => {});
      client.setNoDelay(true);
      if (open.size >= maxConnections) {
        if (!warnedFull) log.warn(`network: more than ${maxConnections} connections at once; refusing new ones until some close`);
        warnedFull = true;
        finish(client, refusal(503, `too many connections at once (the limit is ${maxConnections})`));
        return;
      }
      warnedFull = false;
      open.add(client);
      client.once("close", () => open.delete(client));
      void readHead(client, maxHeadBytes, headTimeoutMs).then(async (result) => {
        if (result.kind === "gone") return client.destroy();
        if (result.kind === "bad") return bad(client, result.status, result.reason);
        try {
          await serve(client, result.head);
        } catch (error) {
          log.debug(`network: proxy error (${(error as Error).message})`);
          client.destroy();
        }
      });
    },
    active: () => open.size,
    close() {
      for (const socket of open) socket.destroy();
    },
  };
}
