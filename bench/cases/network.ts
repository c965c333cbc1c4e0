// Figures for --network allow: one HTTPS request and a streamed 10 MB answer through the proxy and the gateway, beside direct.
//
// The path measured is the bwrap one without the namespaces: a client on loopback, the real forwarder (a node
// process) relaying to the proxy's or the gateway's unix socket, the bridge's proxy or gateway (in this process),
// and a local HTTPS server with a certificate made here; client and server share a peer process of their own.
// The direct baseline is the same client talking to the same server. Nothing but this machine is contacted.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
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
const LATENCY_TARGET = { bound: "max", value: 1, text: "< 1 ms added" } as const;
const THROUGHPUT_TARGET = { bound: "min", value: 0.8, text: "≥ 0.8× direct" } as const;

function certificates(dir: string): { ca: Buffer } {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=bench CA");
  run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", `/CN=${NAME}`);
  writeFileSync(path.join(dir, "ext.cnf"), `subjectAltName=IP:127.0.0.1,DNS:${NAME}\n`);
  run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "ext.cnf");
  return { ca: readFileSync(path.join(dir, "ca.pem")) };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The peer: the stand-in API server and the client, in a process of their own (as the agent and the API are never
 * the bridge). It answers one JSON line per command line on stdin: `{ms, bytes}` for one request.
 */
const PEER = String.raw`
const https = require("https"), http = require("http"), net = require("net"), tls = require("tls"), fs = require("fs"), path = require("path");
const [dir, name] = process.argv.slice(1);
const ca = fs.readFileSync(path.join(dir, "ca.pem"));
const chunk = Buffer.alloc(64 * 1024, 97);
const server = https.createServer({ key: fs.readFileSync(path.join(dir, "server.key")), cert: fs.readFileSync(path.join(dir, "server.pem")) }, (req, res) => {
  req.resume();
  const size = req.url === "/stream" ? 10 * 1024 * 1024 : 64;
  res.writeHead(200, { "content-length": size });
  let left = size;
  const pump = () => { while (left > 0) { const piece = chunk.subarray(0, Math.min(left, chunk.length)); left -= piece.length; if (!res.write(piece)) return void res.once("drain", pump); } res.end(); };
  pump();
});
const keptDirect = new https.Agent({ keepAlive: true, ca });
const keptGateway = new http.Agent({ keepAlive: true });
function fresh(port, pathname, proxyPort) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const go = (socket) => {
      const secure = tls.connect(Object.assign(socket ? { socket } : { host: "127.0.0.1", port }, { servername: name, ca }));
      secure.on("error", reject);
      secure.once("secureConnect", () => secure.write("GET " + pathname + " HTTP/1.1\r\nHost: " + name + "\r\nConnection: close\r\n\r\n"));
      let bytes = 0;
      secure.on("data", (d) => (bytes += d.length));
      secure.on("close", () => resolve({ ms: performance.now() - start, bytes }));
    };
    if (!proxyPort) return go();
    const socket = net.connect({ port: proxyPort, host: "127.0.0.1", noDelay: true });
    socket.on("error", reject);
    socket.write("CONNECT " + name + ":" + port + " HTTP/1.1\r\nHost: " + name + ":" + port + "\r\n\r\n");
    socket.once("data", (head) => (String(head).startsWith("HTTP/1.1 200") ? go(socket) : reject(new Error(String(head).split("\r\n")[0]))));
  });
}
function kept(client, options) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    client.get(options, (res) => { let bytes = 0; res.on("data", (d) => (bytes += d.length)); res.on("end", () => resolve({ ms: performance.now() - start, bytes })); }).on("error", reject);
  });
}
server.listen(0, "127.0.0.1", () => {
  const port = server.address().port;
  process.stdout.write(JSON.stringify({ port }) + "\n");
  let buffered = "";
  process.stdin.setEncoding("utf8").on("data", async (text) => {
    buffered += text;
    let i;
    while ((i = buffered.indexOf("\n")) >= 0) {
      const c = JSON.parse(buffered.slice(0, i));
      buffered = buffered.slice(i + 1);
      try {
        const r = c.via === "gateway" ? await kept(http, { host: "127.0.0.1", port: c.gatewayPort, path: c.path, agent: keptGateway, headers: { host: c.gatewayHost } })
          : c.via === "direct-kept" ? await kept(https, { host: "127.0.0.1", port, path: c.path, agent: keptDirect, servername: name })
          : await fresh(port, c.path, c.via === "proxy" ? c.proxyPort : undefined);
        process.stdout.write(JSON.stringify(r) + "\n");
      } catch (e) { process.stdout.write(JSON.stringify({ error: e.message }) + "\n"); }
    }
  });
  process.stdin.on("end", () => process.exit(0));
});
`;

interface Peer {
  readonly port: number;
  ask(command: Record<string, unknown>): Promise<{ ms: number; bytes: number }>;
  close(): void;
}

async function startPeer(dir: string): Promise<Peer> {
  const child = spawn(process.execPath, ["-e", PEER, dir, NAME], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: Array<(line: string) => void> = [];
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    buffered += text;
    let i;
    while ((i = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      lines.shift()?.(line);
    }
  });
  const next = () => new Promise<string>((resolve) => lines.push(resolve));
  const { port } = JSON.parse(await next()) as { port: number };
  return {
    port,
    ask: async (command) => {
      const answer = next();
      child.stdin.write(JSON.stringify(command) + "\n");
      const result = JSON.parse(await answer) as { ms: number; bytes: number; error?: string };
      if (result.error) throw new Error(result.error);
      return result;
    },
    close: () => child.kill("SIGKILL"),
  };
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
      const { ca } = certificates(dir);
      const peer = await startPeer(dir);
      closers.push(() => peer.close());
      const upstreamPort = peer.port;
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
      // SIGTERM: the forwarder passes it to its command and exits with it, leaving nothing behind.
      closers.push(() => forwarder.kill("SIGTERM"));
      for (let i = 0; i < 100 && !(await listening(gatewayPort)); i++) await new Promise((r) => setTimeout(r, 50));
      const ask = (via: string, pathname: string) => peer.ask({ via, path: pathname, proxyPort, gatewayPort, gatewayHost: `127.0.0.1:${GATEWAY_PORT}` });
      const ms = (r: { ms: number }) => r.ms;
      const mbps = (r: { ms: number; bytes: number }) => r.bytes / 1e6 / (r.ms / 1000);
      // CPU of this process (the bridge's side only: the peer and the forwarder are other processes) per phase.
      const cpuOf = async <T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> => {
        const before = process.cpuUsage();
        const result = await work();
        const used = process.cpuUsage(before);
        return { result, ms: (used.user + used.system) / 1000 };
      };

      context.progress(`network: ${runs * 4} HTTPS requests each way through the proxy, a fresh connection each`);
      await ask("proxy", "/small");
      await ask("direct", "/small");
      const { result: small, ms: smallCpu } = await cpuOf(() => interleave(runs * 4, () => ask("direct", "/small").then(ms), () => ask("proxy", "/small").then(ms)));
      rows.push({ case: "network", figure: "one HTTPS request through the proxy (CONNECT + TLS + GET, fresh connection), p50", unit: "ms", baselineLabel: "direct", comparison: "added", target: LATENCY_TARGET, baseline: median(small.baseline), bridge: median(small.bridge), samples: small, note: `the proxy's CPU: ${((smallCpu * 1000) / (runs * 4)).toFixed(0)} µs per request` });

      context.progress(`network: ${runs} streams of 10 MB each way through the proxy`);
      const { result: stream, ms: streamCpu } = await cpuOf(() => interleave(runs, () => ask("direct", "/stream").then(mbps), () => ask("proxy", "/stream").then(mbps)));
      rows.push({ case: "network", figure: "10 MB streamed HTTPS answer through the proxy", unit: "MB/s", baselineLabel: "direct", comparison: "ratio", target: THROUGHPUT_TARGET, baseline: median(stream.baseline), bridge: median(stream.bridge), samples: stream, note: `the proxy's CPU: ${(streamCpu / (runs * 10.49)).toFixed(2)} ms per MB` });

      // The gateway: plain HTTP in (as the agent sends it), TLS out on a kept connection; direct: HTTPS on a kept connection.
      context.progress(`network: ${runs * 4} requests and ${runs} streams each way through the gateway`);
      await ask("gateway", "/small");
      await ask("direct-kept", "/small");
      const { result: gatewaySmall, ms: gatewaySmallCpu } = await cpuOf(() => interleave(runs * 4, () => ask("direct-kept", "/small").then(ms), () => ask("gateway", "/small").then(ms)));
      rows.push({ case: "network", figure: "one HTTPS request through the gateway (kept connections), p50", unit: "ms", baselineLabel: "direct", comparison: "added", target: LATENCY_TARGET, baseline: median(gatewaySmall.baseline), bridge: median(gatewaySmall.bridge), samples: gatewaySmall, note: `the gateway's CPU: ${((gatewaySmallCpu * 1000) / (runs * 4)).toFixed(0)} µs per request` });
      const { result: gatewayStream, ms: gatewayStreamCpu } = await cpuOf(() => interleave(runs, () => ask("direct-kept", "/stream").then(mbps), () => ask("gateway", "/stream").then(mbps)));
      rows.push({
        case: "network",
        figure: "10 MB streamed answer through the gateway",
        unit: "MB/s",
        baselineLabel: "direct",
        comparison: "ratio",
        target: THROUGHPUT_TARGET,
        baseline: median(gatewayStream.baseline),
        bridge: median(gatewayStream.bridge),
        samples: gatewayStream,
        note: `the gateway's CPU (TLS to the upstream included): ${(gatewayStreamCpu / (runs * 10.49)).toFixed(2)} ms per MB; client and server run in a peer process, the forwarder in another`,
      });
    } catch (error) {
      rows.push(notAvailable({ case: "network", figure: "network allow: proxy and gateway", unit: "-", baselineLabel: "direct", comparison: "ratio" }, (error as Error).message));
    } finally {
      for (const close of closers.reverse()) await close();
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
