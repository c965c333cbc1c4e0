// Test support: a stand-in API host on loopback (HTTPS with a test CA made here by openssl) and the bridge's `run`.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { BRIDGE, SCRIPTED_AGENT } from "../support/bridge.js";

/** The name the tests' stand-in API answers to (resolved by the proxy's test-only override, never by DNS). */
export const API_NAME = "api.acp-sandbox-test.example";

export interface Certificates {
  readonly dir: string;
  readonly ca: string;
  readonly key: string;
  readonly cert: string;
  remove(): void;
}

/** A CA and a server certificate for 127.0.0.1 and API_NAME, made with the openssl command. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-net-ca-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=acp-sandbox test CA");
  run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", `/CN=${API_NAME}`);
  const ext = path.join(dir, "ext.cnf");
  execFileSync("sh", ["-c", `printf 'subjectAltName=IP:127.0.0.1,DNS:${API_NAME}\\nbasicConstraints=CA:FALSE\\n' > ${ext}`]);
  run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", ext);
  return { dir, ca: path.join(dir, "ca.pem"), key: path.join(dir, "server.key"), cert: path.join(dir, "server.pem"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface Upstream {
  readonly port: number;
  readonly received: Received[];
  close(): Promise<void>;
}

/**
 * The stand-in API: `/echo` answers with what it got; `/bytes/N` streams N bytes; `/sse` sends three
 * server-sent events 200 ms apart (the real wire format of a streamed model answer).
 */
export async function startUpstream(certs: Certificates): Promise<Upstream> {
  const received: Received[] = [];
  const server = https.createServer({ key: readFileSync(certs.key), cert: readFileSync(certs.cert) }, (req, res) => {
    received.push({ method: req.method ?? "", url: req.url ?? "", headers: { ...req.headers } });
    req.resume();
    const bytes = /^\/bytes\/(\d+)$/.exec(req.url ?? "");
    if (bytes) {
      let left = Number(bytes[1]);
      const chunk = Buffer.alloc(64 * 1024, 97);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": left });
      const pump = () => {
        while (left > 0) {
          const piece = chunk.subarray(0, Math.min(left, chunk.length));
          left -= piece.length;
          if (!res.write(piece)) return void res.once("drain", pump);
        }
        res.end();
      };
      return pump();
    }
    if (req.url?.startsWith("/sse") || req.url?.startsWith("/v1/messages")) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      let n = 0;
      const timer = setInterval(() => {
        n += 1;
        res.write(`event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: `part ${n}` }, at: Date.now() })}\n\n`);
        if (n === 3) {
          clearInterval(timer);
          res.end("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        }
      }, 200);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, method: req.method, url: req.url, host: req.headers.host }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON lines `run --json` printed. */
  readonly events: Array<Record<string, any>>;
  /** The scripted agent's RESULT lines, in order. */
  readonly results: Array<{ op: string; result: any }>;
}

/** `acp-sandbox run --json` with the scripted agent and `steps`, bounded by a timeout (the child is killed after it). */
export function runScript(args: readonly string[], steps: unknown[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BRIDGE, "run", "--json", "--prompt", JSON.stringify(steps), ...args, "--", process.execPath, SCRIPTED_AGENT], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const events = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);
      const text = events
        .filter((e) => e["type"] === "update" && e["update"]?.sessionUpdate === "agent_message_chunk")
        .map((e) => e["update"].content.text as string)
        .join("");
      const results = text
        .split("\n")
        .filter((line) => line.startsWith("RESULT "))
        .map((line) => JSON.parse(line.slice(7)) as { op: string; result: any });
      resolve({ code, stdout, stderr, events, results });
    });
  });
}
