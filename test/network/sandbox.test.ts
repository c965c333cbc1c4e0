// `--network allow` inside every isolating backend: the stand-in API reached through the proxy and the gateway, the rest refused.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import dgram from "node:dgram";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeBackend } from "../support/ci.js";
import { ROOT, scratchWorkspace } from "../support/bridge.js";
import { backends } from "../sandbox/support.js";
import { type RemoteEngine, remoteEngineUnavailable, startRemoteEngine } from "../sync/remote-engine.js";
import { dockerUnavailable } from "../sync/docker-support.js";
import { tempDir } from "../sync/tree.js";
import { API_NAME, type Certificates, makeCertificates, runScript, startUpstream, type Upstream } from "./support.js";

const KEY = "sk-ant-network-test-key-9f8e7d6c5b4a";
const PLACEHOLDER = "acp-sandbox-gateway-placeholder";

/**
 * What a process inside tries, as `node probe.cjs`: the stand-in API with fetch and with https.get through the
 * proxy; a host and a port not allowed; the gateway with the placeholder key; direct TCP and UDP to the host's
 * loopback services; DNS against the host's stand-in resolver. Prints one JSON line.
 */
const PROBE = String.raw`
const https = require("https"), net = require("net"), dgram = require("dgram"), dns = require("dns"), fs = require("fs"), os = require("os");
const api = process.env.API, [host, port] = api.split(":");
const why = (e) => "ERR " + ((e && e.cause && e.cause.message) || (e && e.message) || String(e));
const get = (url) => new Promise((resolve) => https.get(url, (res) => { let b = ""; res.on("data", (d) => (b += d)); res.on("end", () => resolve(res.statusCode + " " + b)); }).on("error", (e) => resolve(why(e))));
const tcp = (p) => new Promise((resolve) => { const s = net.connect({ host: "127.0.0.1", port: p }); s.setTimeout(3000, () => { s.destroy(); resolve("timeout"); }); s.on("connect", () => { s.destroy(); resolve("connected"); }); s.on("error", (e) => resolve(e.code)); });
(async () => {
  const out = {};
  out.fetch = await fetch("https://" + api + "/echo").then((r) => r.text(), why);
  out.httpsGet = await get("https://" + api + "/echo");
  out.otherHost = await fetch("https://other.invalid/").then((r) => "status " + r.status, why);
  out.otherPort = await fetch("https://" + host + ":2222/").then((r) => "status " + r.status, why);
  out.gateway = await fetch(process.env.ANTHROPIC_BASE_URL + "/v1/messages", { method: "POST", headers: { "x-api-key": process.env.ANTHROPIC_API_KEY, "content-type": "application/json" }, body: "{}" }).then((r) => r.text(), why);
  out.tcp = await tcp(Number(port));
  const sock = dgram.createSocket("udp4");
  out.udp = await new Promise((resolve) => sock.send(Buffer.from("hello from inside"), Number(process.env.UDP_PORT), "127.0.0.1", (e) => { sock.close(); resolve(e ? e.code : "sent"); }));
  const resolver = new dns.promises.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers(["127.0.0.1:" + process.env.UDP_PORT]);
  out.dns = await resolver.resolve4(host).then((a) => a.join(","), (e) => e.code);
  out.interfaces = Object.keys(os.networkInterfaces());
  out.env = { key: process.env.ANTHROPIC_API_KEY, base: process.env.ANTHROPIC_BASE_URL, proxy: process.env.HTTPS_PROXY, nodeOptions: process.env.NODE_OPTIONS };
  let environ = "";
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) { try { environ += fs.readFileSync("/proc/" + pid + "/environ", "latin1"); } catch (e) {} }
  out.environ = Buffer.from(environ).toString("base64");
  console.log("NETPROBE " + JSON.stringify(out));
})();
`;

const available = await backends();
const remoteUnavailable = remoteEngineUnavailable() ?? (await dockerUnavailable());
const cases = [
  ...available.filter((b) => b.provider !== "local").map((b) => ({ name: b.name, flags: b.flags, unavailable: b.unavailable, remote: false })),
  { name: "remote Docker engine", flags: ["--sandbox", "docker"], unavailable: remoteUnavailable, remote: true },
];

let certs: Certificates;
let upstream: Upstream;
const datagrams: string[] = [];
let udp: dgram.Socket;
let udpPort = 0;

beforeAll(async () => {
  certs = makeCertificates();
  upstream = await startUpstream(certs);
  udp = dgram.createSocket("udp4");
  udp.on("message", (m) => datagrams.push(m.toString()));
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", () => resolve()));
  udpPort = udp.address().port;
}, 30_000);

afterAll(async () => {
  udp?.close();
  await upstream?.close();
  certs?.remove();
});

for (const backend of cases) {
  describeBackend(`network allow on ${backend.name}`, backend.unavailable, () => {
    let engine: RemoteEngine | undefined;
    let home: ReturnType<typeof tempDir>;
    beforeAll(async () => {
      home = tempDir("acp-net-home-");
      if (backend.remote) engine = await startRemoteEngine();
    }, 120_000);
    afterAll(async () => {
      await engine?.stop();
      home?.cleanup();
    }, 60_000);

    it("reaches the allowed API through the proxy and the gateway; refuses the rest; keeps the key out", { timeout: 180_000 }, async () => {
      const ws = scratchWorkspace("acp-net-ws-");
      try {
        copyFileSync(certs.ca, path.join(ws.dir, "ca.pem"));
        writeFileSync(path.join(ws.dir, "probe.cjs"), PROBE);
        // The agent's program lives in this repository: granted read-only (a remote engine gets a copy of the workspace only).
        const config = path.join(home.dir, "config.json");
        writeFileSync(config, JSON.stringify({ policy: { directories: [{ path: ROOT, access: "read" }] } }));
        const trace = path.join(home.dir, "trace.jsonl");
        const api = `${API_NAME}:${upstream.port}`;
        const steps: unknown[] = [{ op: "terminal", command: "node", args: ["probe.cjs"], outputByteLimit: 4_000_000 }];
        if (backend.name === "bwrap") {
          steps.push({ op: "terminal", command: "sh", args: ["-c", `curl -sS --cacert ca.pem https://${api}/echo; echo; curl -sS https://other.invalid/ 2>&1; git ls-remote https://other.invalid/repo.git 2>&1; true`] });
        }
        const ran = await runScript(
          [...backend.flags, "--workspace", ws.dir, "--config", config, "--approve", "all", "--trace", trace, "--preset", "claude", "--allow-host", api, "--allow-host", `127.0.0.1:${upstream.port}`, "--allow-env", "NODE_EXTRA_CA_CERTS", "--allow-env", "API", "--allow-env", "UDP_PORT"],
          steps,
          {
            ...process.env,
            ...(engine ? { DOCKER_HOST: engine.host, XDG_STATE_HOME: path.join(home.dir, "state") } : {}),
            XDG_CONFIG_HOME: path.join(home.dir, "xdg"),
            NODE_EXTRA_CA_CERTS: path.join(ws.dir, "ca.pem"),
            ACP_SANDBOX_TEST_RESOLVE: `${API_NAME}=127.0.0.1`,
            API: api,
            UDP_PORT: String(udpPort),
            ANTHROPIC_API_KEY: KEY,
            ANTHROPIC_BASE_URL: `https://127.0.0.1:${upstream.port}`,
          },
          170_000,
        );
        expect(ran.stderr).not.toContain(KEY);
        expect(ran.code, ran.stderr).toBe(0);
        const output: string = ran.results[0]?.result?.ok?.output?.output ?? "";
        const line = output.split(/\r?\n/).find((l) => l.startsWith("NETPROBE "));
        expect(line, output + ran.stderr).toBeDefined();
        const probe = JSON.parse(line!.slice(9));
        // Reached through the proxy: fetch (the preload on this Node) and https.get.
        expect(probe.fetch).toContain('"url":"/echo"');
        expect(probe.httpsGet).toMatch(/^200 .*"url":"\/echo"/);
        // Refused, with the reason.
        expect(probe.otherHost).toContain("not in the allowlist");
        expect(probe.otherPort).toContain(`port 2222 is not allowed for ${API_NAME}`);
        // The gateway: the stand-in API answered (SSE), and got the real key while the agent had the placeholder.
        expect(probe.gateway).toContain("event: message_stop");
        const viaGateway = upstream.received.filter((r) => r.url === "/v1/messages");
        expect(viaGateway.at(-1)?.headers["x-api-key"]).toBe(KEY);
        expect(probe.env).toEqual({ key: PLACEHOLDER, base: "http://127.0.0.1:3129", proxy: "http://127.0.0.1:3128", nodeOptions: "--require /tmp/.acp-sandbox-net/preload.cjs" });
        expect(Buffer.from(probe.environ, "base64").toString("latin1")).not.toContain(KEY);
        expect(Buffer.from(probe.environ, "base64").toString("latin1")).toContain(PLACEHOLDER);
        expect(readFileSync(trace, "utf8")).not.toContain(KEY);
        // Nothing direct: the host's loopback services are out of reach, and no datagram or DNS query arrived.
        expect(probe.tcp).toBe("ECONNREFUSED");
        expect(probe.dns).not.toMatch(/^\d/);
        expect(probe.interfaces).toEqual(["lo"]);
        expect(datagrams).toEqual([]);
        // Every denial told: stderr's line with the fix, and `run --json`'s network events.
        expect(ran.stderr).toContain(`acp-sandbox: network: CONNECT other.invalid:443 denied (not in the allowlist: api.anthropic.com, statsig.anthropic.com, claude.ai, console.anthropic.com, … (2 more)); allow it with --allow-host other.invalid`);
        expect(ran.events).toContainEqual(expect.objectContaining({ type: "network", kind: "denied", method: "CONNECT", host: "other.invalid", port: 443, fix: "other.invalid" }));
        expect(ran.stderr).toMatch(/acp-sandbox: network: .*api\.acp-sandbox-test\.example:\d+ [23] allowed.*other\.invalid:443 0 allowed, [13] denied/);
        if (backend.name === "bwrap") {
          const shell: string = ran.results[1]?.result?.ok?.output?.output ?? "";
          expect(shell).toContain('"url":"/echo"');
          expect(shell).toContain("CONNECT tunnel failed, response 403");
          expect(shell).toMatch(/unable to access 'https:\/\/other\.invalid\/repo\.git\/'.*403/);
        }
      } finally {
        ws.cleanup();
      }
    });
  });
}
