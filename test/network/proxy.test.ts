// The proxy and the gateway on their real unix sockets: allowed tunnels, every refusal with its reason, abuse, the key.
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { NetworkMonitor, type NetworkEvent } from "../../src/network/events.js";
import { planGateway, PLACEHOLDER_KEY } from "../../src/network/gateway-presets.js";
import { GATEWAY_PORT, GATEWAY_URL } from "../../src/network/inside/layout.js";
import { createResolver } from "../../src/network/resolve.js";
import { startNetworkService, type NetworkService } from "../../src/network/service.js";
import { parseHostPattern } from "../../src/policy/network-rules.js";
import { API_NAME, type Certificates, makeCertificates, startUpstream, type Upstream } from "./support.js";

let certs: Certificates;
let upstream: Upstream;
let service: NetworkService;
const events: NetworkEvent[] = [];
const KEY = "sk-ant-test-real-key-0123456789";

/** Sends `text` on a fresh connection to `socket` and collects everything until it closes (bounded). */
function exchange(socket: string, text: string | Buffer, options: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    let got = "";
    const timer = setTimeout(() => c.destroy(), 15_000);
    c.setEncoding("latin1");
    c.on("data", (d: string) => (got += d));
    c.on("close", () => {
      clearTimeout(timer);
      resolve(got);
    });
    c.on("error", () => {});
    c.write(text);
    if (options.end) c.end();
  });
}

beforeAll(async () => {
  certs = makeCertificates();
  upstream = await startUpstream(certs);
  const monitor = new NetworkMonitor();
  monitor.on((e) => events.push(e));
  const route = planGateway("claude", { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `https://127.0.0.1:${upstream.port}` }, GATEWAY_URL);
  if ("none" in route) throw new Error(route.none);
  service = await startNetworkService(
    {
      rules: {
        allow: [`${API_NAME}:${upstream.port}`, `127.0.0.1:${upstream.port}`, "loopback-name.example", "allowed.example"].map(parseHostPattern),
        deny: ["blocked.example"].map(parseHostPattern),
      },
      gateway: route,
      resolve: createResolver(new Map([[API_NAME, "127.0.0.1"], ["loopback-name.example", "127.0.0.1"]])),
      upstreamCa: readFileSync(certs.ca),
    },
    monitor,
    createLogger("silent"),
  );
}, 30_000);

afterAll(async () => {
  await service?.close();
  await upstream?.close();
  certs?.remove();
});

describe("the proxy", () => {
  it("tunnels CONNECT to an allowed host:port, through TLS to the real server", async () => {
    const socket = net.connect(service.proxySocket);
    socket.write(`CONNECT ${API_NAME}:${upstream.port} HTTP/1.1\r\nHost: ${API_NAME}:${upstream.port}\r\n\r\n`);
    const [head] = (await once(socket, "data")) as [Buffer];
    expect(head.toString()).toBe("HTTP/1.1 200 Connection Established\r\n\r\n");
    const secure = tls.connect({ socket, servername: API_NAME, ca: readFileSync(certs.ca) });
    await once(secure, "secureConnect");
    secure.write(`GET /echo HTTP/1.1\r\nHost: ${API_NAME}\r\nConnection: close\r\n\r\n`);
    let body = "";
    secure.setEncoding("utf8").on("data", (d: string) => (body += d));
    await once(secure, "close");
    expect(body).toContain('"url":"/echo"');
    expect(events.some((e) => e.kind === "allowed" && e.host === API_NAME && e.rule === `${API_NAME}:${upstream.port}`)).toBe(true);
  });

  it("answers a host not in the allowlist with 403, X-Proxy-Error and the fix", async () => {
    const answer = await exchange(service.proxySocket, "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(answer).toContain(`X-Proxy-Error: not in the allowlist: ${API_NAME}:${upstream.port}, 127.0.0.1:${upstream.port}, loopback-name.example, allowed.example\r\n`);
    expect(answer).toContain(`acp-sandbox: CONNECT evil.example:443 denied (not in the allowlist: ${API_NAME}:${upstream.port}, 127.0.0.1:${upstream.port}, loopback-name.example, allowed.example); allow it with --allow-host evil.example\n`);
    expect(events).toContainEqual(expect.objectContaining({ kind: "denied", host: "evil.example", port: 443, fix: "evil.example" }));
  });

  it("refuses a deny entry, a port the rule did not allow, and an absolute-form request to another host", async () => {
    expect(await exchange(service.proxySocket, "CONNECT blocked.example:443 HTTP/1.1\r\n\r\n")).toContain("X-Proxy-Error: denied by --deny-host blocked.example");
    expect(await exchange(service.proxySocket, `CONNECT ${API_NAME}:22 HTTP/1.1\r\n\r\n`)).toContain(`X-Proxy-Error: port 22 is not allowed for ${API_NAME} (${API_NAME}:${upstream.port} allows port ${upstream.port})`);
    expect(await exchange(service.proxySocket, "GET http://other.invalid/x HTTP/1.1\r\nHost: other.invalid\r\n\r\n")).toContain("X-Proxy-Error: not in the allowlist");
  });

  it("refuses a name that resolves to loopback unless an entry names that exact address", async () => {
    const refused = await exchange(service.proxySocket, "CONNECT loopback-name.example:443 HTTP/1.1\r\n\r\n");
    expect(refused).toContain("X-Proxy-Error: loopback-name.example resolves to a loopback address (127.0.0.1); only an allow entry naming that exact address lets it through");
    expect(refused).toContain("allow it with --allow-host 127.0.0.1");
    // The stand-in API's name resolves to loopback too, and passes only because 127.0.0.1:PORT is allowed.
    const tunnel = net.connect(service.proxySocket);
    tunnel.write(`CONNECT ${API_NAME}:${upstream.port} HTTP/1.1\r\n\r\n`);
    const [head] = (await once(tunnel, "data")) as [Buffer];
    tunnel.destroy();
    expect(head.toString()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it.each([
    ["garbage", "hello\r\n\r\n", 400, "malformed request line"],
    ["an origin-form request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "not a proxy request"],
    ["a CONNECT without a port", "CONNECT allowed.example HTTP/1.1\r\n\r\n", 400, "CONNECT target must be host:port"],
    ["a Host header that disagrees with CONNECT", "CONNECT allowed.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n", 400, "the Host header (evil.example:443) disagrees with the CONNECT target allowed.example:443"],
    ["a Host header that disagrees with the URL", "GET http://allowed.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n", 400, "disagrees with the request's URL"],
    ["an https absolute-form request", "GET https://allowed.example/ HTTP/1.1\r\n\r\n", 400, "absolute-form requests must be http://"],
    ["a header line without a colon", "CONNECT allowed.example:443 HTTP/1.1\r\nbroken\r\n\r\n", 400, "malformed header line"],
  ])("refuses %s with %i", async (_name, request, status, reason) => {
    const answer = await exchange(service.proxySocket, request);
    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(answer).toContain(reason);
  });

  it("refuses a head larger than its cap, and cuts off a client that never finishes its request", async () => {
    expect(await exchange(service.proxySocket, "CONNECT allowed.example:443 HTTP/1.1\r\nX: " + "a".repeat(40_000))).toMatch(/^HTTP\/1\.1 431 /);
  }, 20_000);
});

describe("the proxy's limits", () => {
  it("times out a client that never finishes its request (408) and refuses connections past the cap (503)", async () => {
    const { createProxy } = await import("../../src/network/proxy.js");
    const proxy = createProxy({ rules: { allow: [], deny: [] }, monitor: new NetworkMonitor(), log: createLogger("silent"), resolve: createResolver(), maxConnections: 2, headTimeoutMs: 300 });
    const server = net.createServer((s) => proxy.handle(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const slow = (write: string) =>
      new Promise<string>((resolve) => {
        const c = net.connect(port, "127.0.0.1");
        let got = "";
        c.setEncoding("latin1").on("data", (d: string) => (got += d));
        c.on("close", () => resolve(got));
        c.on("error", () => {});
        c.write(write);
      });
    const first = slow("CONNECT a.example:443 HTTP/1.1\r\n");
    const second = slow("CONNECT b.example:443 HTTP/1.1\r\n");
    await new Promise((r) => setTimeout(r, 50));
    const third = await slow("CONNECT c.example:443 HTTP/1.1\r\n\r\n");
    expect(third).toMatch(/^HTTP\/1\.1 503 /);
    expect(third).toContain("too many connections at once (the limit is 2)");
    expect(await first).toMatch(/^HTTP\/1\.1 408 /);
    expect(await second).toContain("request head not received within 300 ms");
    proxy.close();
    server.close();
  }, 20_000);
});

describe("the credential gateway", () => {
  const request = (path: string, headers: Record<string, string>, onChunk?: (chunk: string) => void) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = http.request({ socketPath: service.gatewaySocket!, path, method: "POST", headers }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          body += d;
          onChunk?.(d);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end("{}");
    });

  it("puts the real key in its header, drops the placeholder, and passes SSE through as it comes", async () => {
    const before = upstream.received.length;
    const chunks: string[] = [];
    const answer = await request("/v1/messages", { host: `127.0.0.1:${GATEWAY_PORT}`, "x-api-key": PLACEHOLDER_KEY, authorization: "Bearer stolen", "content-type": "application/json" }, (c) => chunks.push(c));
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/event-stream");
    // Unbuffered: the three events and the stop arrive as separate chunks, as the upstream wrote them.
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks[0]).toContain("part 1");
    expect(chunks[0]).not.toContain("part 2");
    const got = upstream.received.slice(before).find((r) => r.url === "/v1/messages")!;
    expect(got.headers["x-api-key"]).toBe(KEY);
    expect(got.headers["authorization"]).toBeUndefined();
    expect(got.headers["host"]).toBe(`127.0.0.1:${upstream.port}`);
  }, 20_000);

  it("refuses a request aimed at another host", async () => {
    const answer = await request("/v1/messages", { host: "evil.example" });
    expect(answer.status).toBe(421);
    expect(answer.headers["x-proxy-error"]).toBe(`the claude gateway serves only http://127.0.0.1:${GATEWAY_PORT} (127.0.0.1:${upstream.port}); this request was aimed at evil.example`);
  });
});
