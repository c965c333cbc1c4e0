// Figures for --network allow: one HTTPS request and a streamed 10 MB answer through the proxy and the gateway, beside direct.
//
// The path measured is the bwrap one without the namespaces: a client on loopback, the real forwarder (a node
// process) relaying to the proxy's or the gateway's unix socket, the bridge's proxy or gateway (in this
// process), and a local HTTPS server with a certificate made here. The direct baseline is the same client
// talking to the same server. Everything runs on this machine; nothing else is contacted.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { createLogger } from "../../src/log/logger.js";
import { NetworkMonitor } from "../../src/network/events.js";
import { planGateway } from "../../src/network/gateway-presets.js";
import { FORWARDER_FILE, GATEWAY_PORT } from "../../src/network/inside/layout.js";
import { createResolver } from "../../src/network/resolve.js";
import { startNetworkService } from "../../src/network/service.js";
import { parseHostPattern } from "../../src/policy/network-rules.js";
import { type BenchCase, type BenchContext, interleave } from "../context.js";
import { notAvailable, type Row } from "../result.js";
import { median } from "../stats.js";

const NAME = "api.bench.example";
const STREAM_BYTES = 10 * 1024 * 1024;
const LATENCY_TARGET = { bound: "max", value: 1, text: "< 1 ms added" } as const;
const THROUGHPUT_TARGET = { bound: "min", value: 0.8, text: "≥ 0.8× direct" } as const;

function certificates(dir: string): { ca: Buffer; key: Buffer; cert: Buffer } {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=bench CA");
  run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", `/CN=${NAME}`);
  writeFileSync(path.join(dir, "ext.cnf"), `subjectAltName=IP:127.0.0.1,DNS:${NAME}\n`);
  run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "ext.cnf");
  return { ca: readFileSync(path.join(dir, "ca.pem")), key: readFileSync(path.join(dir, "server.key")), cert: readFileSync(path.join(dir, "server.pem")) };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A CONNECT tunnel through the forwarder's port, as a proxy-aware client opens one. */
function tunnel(proxyPort: number, target: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: proxyPort, host: "127.0.0.1", noDelay: true });
    socket.once("error", reject);
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    socket.once("data", (head: Buffer) => {
      if (!head.toString("latin1").startsWith("HTTP/1.1 200")) return reject(new Error(head.toString("latin1").split("\r\n")[0]));
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

/** One GET over a fresh TLS connection (on `socket`, or a direct one): milliseconds to the whole answer. */
async function oneRequest(ca: Buffer, port: number, pathname: string, socket?: net.Socket): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const secure = tls.connect({ ...(socket ? { socket } : { host: "127.0.0.1", port }), servername: NAME, ca });
  await once(secure, "secureConnect");
  secure.write(`GET ${pathname} HTTP/1.1\r\nHost: ${NAME}\r\nConnection: close\r\n\r\n`);
  let bytes = 0;
  secure.on("data", (d: Buffer) => (bytes += d.length));
  await once(secure, "close");
  return { ms: performance.now() - start, bytes };
}

export const network: BenchCase = {
  id: "network",
  title: "network allow: proxy and gateway",
  async run(context: BenchContext): Promise<Row[]> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-bench-net-"));
    const closers: Array<() => unknown> = [];
    const rows: Row[] = [];
    const runs = context.quick ? Math.min(context.runs, 5) : Math.max(context.runs, 15);
    try {
      const { ca, key, cert } = certificates(dir);
      const chunk = Buffer.alloc(64 * 1024, 97);
      const server = https.createServer({ key, cert }, (req, res) => {
        req.resume();
        const size = req.url === "/stream" ? STREAM_BYTES : 64;
        res.writeHead(200, { "content-length": size, "content-type": "application/octet-stream" });
        let left = size;
        const pump = () => {
          while (left > 0) {
            const piece = chunk.subarray(0, Math.min(left, chunk.length));
            left -= piece.length;
            if (!res.write(piece)) return void res.once("drain", pump);
          }
          res.end();
        };
        pump();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      closers.push(() => server.close());
      const upstreamPort = (server.address() as AddressInfo).port;
      const route = planGateway("claude", { ANTHROPIC_API_KEY: "bench-key-not-a-secret", ANTHROPIC_BASE_URL: `https://127.0.0.1:${upstreamPort}` }, "http://127.0.0.1:0");
      if ("none" in route) throw new Error(route.none);
      const service = await startNetworkService(
        {
          rules: { allow: [`${NAME}:${upstreamPort}`, `127.0.0.1:${upstreamPort}`].map(parseHostPattern), deny: [] },
          gateway: route,
          resolve: createResolver(new Map([[NAME, "127.0.0.1"]])),
          upstreamCa: ca,
        },
        new NetworkMonitor(),
        createLogger("silent"),
      );
      closers.push(() => service.close());
      const proxyPort = await freePort();
      const gatewayPort = await freePort();
      const forwarder = spawn(process.execPath, [path.join(service.dir, FORWARDER_FILE), `${proxyPort}=${service.proxySocket}`, `${gatewayPort}=${service.gatewaySocket}`, "--", "sleep", "3600"], { stdio: "ignore" });
      closers.push(() => forwarder.kill("SIGKILL"));
      // Wait until the forwarder listens.
      for (let i = 0; i < 100; i++) {
        const ok = await new Promise<boolean>((resolve) => net.connect(gatewayPort, "127.0.0.1").on("connect", function (this: net.Socket) { this.destroy(); resolve(true); }).on("error", () => resolve(false)));
        if (ok) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const target = `${NAME}:${upstreamPort}`;
      const viaProxy = async (pathname: string) => oneRequest(ca, upstreamPort, pathname, await tunnel(proxyPort, target));
      const direct = (pathname: string) => oneRequest(ca, upstreamPort, pathname);
      const cpuBefore = process.cpuUsage();

      context.progress(`network: ${runs} HTTPS requests each way, fresh connection each`);
      await viaProxy("/small");
      await direct("/small");
      const small = await interleave(runs * 4, () => direct("/small").then((r) => r.ms), () => viaProxy("/small").then((r) => r.ms));
      rows.push({ case: "network", figure: "one HTTPS request through the proxy (CONNECT + TLS + GET, fresh connection), p50", unit: "ms", baselineLabel: "direct", comparison: "added", target: LATENCY_TARGET, baseline: median(small.baseline), bridge: median(small.bridge), samples: small });

      context.progress(`network: ${runs} streams of 10 MB each way through the proxy`);
      const mbps = (r: { ms: number; bytes: number }) => r.bytes / 1e6 / (r.ms / 1000);
      const stream = await interleave(runs, () => direct("/stream").then(mbps), () => viaProxy("/stream").then(mbps));
      rows.push({ case: "network", figure: "10 MB streamed HTTPS answer through the proxy", unit: "MB/s", baselineLabel: "direct", comparison: "ratio", target: THROUGHPUT_TARGET, baseline: median(stream.baseline), bridge: median(stream.bridge), samples: stream });

      // The gateway: plain HTTP in (as the agent sends it), TLS out on a kept connection; direct: HTTPS with a kept connection.
      const directAgent = new https.Agent({ keepAlive: true, ca });
      const gatewayAgent = new http.Agent({ keepAlive: true });
      closers.push(() => directAgent.destroy(), () => gatewayAgent.destroy());
      const get = (client: typeof http | typeof https, options: https.RequestOptions) =>
        new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
          const start = performance.now();
          client
            .get(options, (res) => {
              let bytes = 0;
              res.on("data", (d: Buffer) => (bytes += d.length));
              res.on("end", () => resolve({ ms: performance.now() - start, bytes }));
            })
            .on("error", reject);
        });
      const viaGateway = (pathname: string) => get(http, { host: "127.0.0.1", port: gatewayPort, path: pathname, agent: gatewayAgent, headers: { host: `127.0.0.1:${GATEWAY_PORT}` } });
      const directKept = (pathname: string) => get(https, { host: "127.0.0.1", port: upstreamPort, path: pathname, agent: directAgent, servername: NAME });
      // The Host is the gateway's port inside a sandbox (the only one it answers); here the forwarder listens elsewhere.
      await viaGateway("/small");
      await directKept("/small");
      context.progress(`network: ${runs} requests each way through the gateway`);
      const gatewaySmall = await interleave(runs * 4, () => directKept("/small").then((r) => r.ms), () => viaGateway("/small").then((r) => r.ms));
      rows.push({ case: "network", figure: "one HTTPS request through the gateway (kept connections), p50", unit: "ms", baselineLabel: "direct", comparison: "added", target: LATENCY_TARGET, baseline: median(gatewaySmall.baseline), bridge: median(gatewaySmall.bridge), samples: gatewaySmall });
      const gatewayStream = await interleave(runs, () => directKept("/stream").then(mbps), () => viaGateway("/stream").then(mbps));
      rows.push({ case: "network", figure: "10 MB streamed answer through the gateway", unit: "MB/s", baselineLabel: "direct", comparison: "ratio", target: THROUGHPUT_TARGET, baseline: median(gatewayStream.baseline), bridge: median(gatewayStream.bridge), samples: gatewayStream });
      const cpu = process.cpuUsage(cpuBefore);
      rows[rows.length - 1] = { ...rows[rows.length - 1]!, note: `bench process CPU for the whole case (client, server, proxy, gateway): ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms; the forwarder is a separate node process` };
    } catch (error) {
      rows.push(notAvailable({ case: "network", figure: "network allow: proxy and gateway", unit: "-", baselineLabel: "direct", comparison: "ratio" }, (error as Error).message));
    } finally {
      for (const close of closers.reverse()) await close();
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
