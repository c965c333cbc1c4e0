// A client that only splits lines (what a Rust editor amounts to): counts session/update lines, parses only the rest.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { PeerCommand } from "./commands.js";
import { BenchError, trackPeer, within } from "./peer.js";

const UPDATE = Buffer.from('"method":"session/update"');
const NL = 10;

type Json = Record<string, unknown>;

/** The pid of `pid`'s first child process (the agent behind the bridge), from /proc. */
export function firstChild(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    return children.length > 0 ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

export class RawPeer {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly exited: Promise<number | null>;
  updates = 0;
  #nextId = 1;
  #rest: Buffer[] = [];
  readonly #pending = new Map<number, (message: Json) => void>();
  #waiter: { count: number; resolve: () => void } | undefined;
  #stderr = "";

  constructor(readonly command: PeerCommand, options: { cwd: string }) {
    this.child = spawn(command.command, [...command.args], { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdin.on("error", () => {});
    this.child.stderr.setEncoding("utf8").on("data", (chunk: string) => (this.#stderr = (this.#stderr + chunk).slice(-4000)));
    const forget = trackPeer(this);
    this.child.once("error", forget);
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code) => {
        forget();
        resolve(code);
      }),
    );
    this.child.stdout.on("data", (chunk: Buffer) => this.#onData(chunk));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  #onData(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      if (nl === -1) break;
      const line = this.#rest.length === 0 ? chunk.subarray(start, nl) : Buffer.concat([...this.#rest, chunk.subarray(start, nl)]);
      this.#rest = [];
      start = nl + 1;
      // A notification is counted from its first bytes; only other lines are parsed.
      if (line.indexOf(UPDATE) !== -1 && line.indexOf(UPDATE) < 64) {
        this.updates += 1;
        if (this.#waiter && this.updates >= this.#waiter.count) {
          this.#waiter.resolve();
          this.#waiter = undefined;
        }
      } else {
        this.#onMessage(JSON.parse(line.toString("utf8")) as Json);
      }
    }
    if (start < chunk.length) this.#rest.push(chunk.subarray(start));
  }

  #onMessage(message: Json): void {
    if (typeof message["method"] === "string" && "id" in message) {
      this.#send({ jsonrpc: "2.0", id: message["id"], error: { code: -32601, message: `${String(message["method"])} is not served by the bench client` } });
    } else if (typeof message["id"] === "number" && !("method" in message)) {
      this.#pending.get(message["id"])?.(message);
      this.#pending.delete(message["id"]);
    }
  }

  #send(message: Json): void {
    this.child.stdin.write(JSON.stringify(message) + "\n");
  }

  request(method: string, params: unknown, timeoutMs = 60_000): Promise<Json> {
    const id = this.#nextId++;
    const answer = new Promise<Json>((resolve, reject) =>
      this.#pending.set(id, (message) => ("error" in message ? reject(new BenchError(`${method}: ${JSON.stringify(message["error"])}`)) : resolve(message["result"] as Json))),
    );
    this.#send({ jsonrpc: "2.0", id, method, params });
    return within(answer, timeoutMs, `${this.command.label}: ${method}`);
  }

  untilUpdates(count: number): Promise<void> {
    if (this.updates >= count) return Promise.resolve();
    return new Promise((resolve) => (this.#waiter = { count, resolve }));
  }

  async open(cwd: string): Promise<string> {
    await this.request("initialize", { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false } });
    const session = await this.request("session/new", { cwd, mcpServers: [] });
    return String(session["sessionId"]);
  }

  prompt(sessionId: string, steps: unknown[], timeoutMs = 120_000): Promise<Json> {
    return this.request("session/prompt", { sessionId, prompt: [{ type: "text", text: JSON.stringify(steps) }] }, timeoutMs);
  }

  stderrTail(lines = 3): string {
    return this.#stderr.trim().split("\n").slice(-lines).join(" / ");
  }

  async close(graceMs = 10_000): Promise<void> {
    this.child.stdin.end();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
