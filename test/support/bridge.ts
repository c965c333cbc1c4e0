// Test support: start the built bridge as a real child process and talk to it over real pipes.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { cpSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { createInterface } from "node:readline";
import { expect } from "vitest";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
/** What `npm install -g` runs: the bundled command (package.json "bin"). */
export const BRIDGE = path.join(ROOT, "dist", "bundle", "acp-sandbox.js");
export const SCRIPTED_AGENT = path.join(ROOT, "dist", "fixtures", "agent", "scripted-agent.js");
export const RAW_AGENT = path.join(ROOT, "dist", "fixtures", "agent", "raw-agent.js");
export const SAMPLE_WORKSPACE = path.join(ROOT, "fixtures", "workspace");

/** A fresh copy of the sample workspace (resolved path); removed by the returned cleanup. */
export function scratchWorkspace(prefix = "acp-sandbox-test-"): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
  cpSync(SAMPLE_WORKSPACE, dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type Message = Record<string, any>;

/**
 * The bridge as a child process with line-level access to its stdout (every line is checked to be
 * JSON-RPC) and its whole stderr.
 */
export class BridgeProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly messages: Message[] = [];
  /** Every line on stdout as it came (without its newline), JSON-RPC or not. */
  readonly lines: string[] = [];
  /** Lines on stdout that were not JSON-RPC objects: must stay empty. */
  readonly strayStdout: string[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  #nextId = 1000;

  constructor(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, [BRIDGE, ...args], {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? { ...process.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdin.on("error", () => {});
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      this.lines.push(line);
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        this.strayStdout.push(line);
        return;
      }
      if (!message || typeof message !== "object" || (message as Message)["jsonrpc"] !== "2.0") {
        this.strayStdout.push(line);
        return;
      }
      this.messages.push(message as Message);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(message as Message)) return true;
        w.resolve(message as Message);
        return false;
      });
    });
    // Resolves once the bridge has exited and its stderr has been read to the end (or half a second
    // later, should a stray process still hold the pipe), so assertions on stderr after exit see it all.
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        const done = () => resolve({ code, signal });
        if (this.child.stderr.readableEnded) return done();
        const timer = setTimeout(done, 500);
        this.child.stderr.once("end", () => {
          clearTimeout(timer);
          done();
        });
      }),
    );
  }

  static start(agent: readonly string[], bridgeArgs: readonly string[] = [], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): BridgeProcess {
    return new BridgeProcess([...bridgeArgs, "--", ...agent], options);
  }

  sendRaw(line: string): void {
    this.child.stdin.write(line);
  }

  send(message: Message): void {
    this.sendRaw(JSON.stringify(message) + "\n");
  }

  /** Waits for the first message (already received or yet to come) that matches. */
  waitFor(match: (m: Message) => boolean, timeoutMs = 30_000): Promise<Message> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for a message; got ${JSON.stringify(this.messages.slice(-5))}; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const done = (m: Message) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push({ match, resolve: done });
    });
  }

  /**
   * Waits until stderr holds `pattern`. A log line written just before a response can reach us after
   * it (stderr and stdout are separate pipes), so assertions on a running bridge's stderr wait.
   */
  async waitForStderr(pattern: string | RegExp, timeoutMs = 20_000): Promise<string> {
    const matches = () => (typeof pattern === "string" ? this.stderr.includes(pattern) : pattern.test(this.stderr));
    const deadline = Date.now() + timeoutMs;
    while (!matches()) {
      if (Date.now() > deadline || this.child.stderr.readableEnded) {
        if (matches()) break;
        // Fails with the usual diff between what we wanted and what came.
        if (typeof pattern === "string") expect(this.stderr).toContain(pattern);
        else expect(this.stderr).toMatch(pattern);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.stderr;
  }

  /** Sends a request and waits for its response. */
  async request(method: string, params: unknown = {}, id: string | number = this.#nextId++): Promise<Message> {
    this.send({ jsonrpc: "2.0", id, method, params });
    return this.waitFor((m) => m["id"] === id && ("result" in m || "error" in m) && !("method" in m));
  }

  notify(method: string, params: unknown = {}): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  async initialize(clientCapabilities: Message = { fs: { readTextFile: false, writeTextFile: false }, terminal: false }): Promise<Message> {
    return this.request("initialize", { protocolVersion: 1, clientCapabilities, clientInfo: { name: "test", version: "1" } });
  }

  async newSession(cwd: string, additionalDirectories?: string[]): Promise<string> {
    const response = await this.request("session/new", { cwd, mcpServers: [], ...(additionalDirectories ? { additionalDirectories } : {}) });
    if (!response["result"]) throw new Error(`session/new failed: ${JSON.stringify(response)}; stderr: ${this.stderr}`);
    return response["result"]["sessionId"] as string;
  }

  /** Sends a prompt whose text is a scripted-agent script, and waits for the turn to end. */
  async prompt(sessionId: string, steps: unknown[] | string, timeoutMs = 40_000): Promise<Message> {
    const id = this.#nextId++;
    this.send({ jsonrpc: "2.0", id, method: "session/prompt", params: { sessionId, prompt: [{ type: "text", text: typeof steps === "string" ? steps : JSON.stringify(steps) }] } });
    return this.waitFor((m) => m["id"] === id && !("method" in m), timeoutMs);
  }

  /** The RESULT lines the scripted agent reported, parsed. */
  results(): Array<{ op: string; result: any }> {
    return this.messages
      .filter((m) => m["method"] === "session/update" && m["params"]?.update?.sessionUpdate === "agent_message_chunk")
      .map((m) => String(m["params"].update.content.text))
      .filter((text) => text.startsWith("RESULT "))
      .map((text) => JSON.parse(text.slice("RESULT ".length)));
  }

  /** Closes the bridge's stdin and waits for it to exit. */
  async close(timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.stdin.end();
    return this.waitExit(timeoutMs);
  }

  async waitExit(timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill("SIGKILL");
        reject(new Error(`the bridge did not exit within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.child.kill(signal);
  }
}

/** Requests the agent (through the bridge) sends to the editor, answered by `answer`. */
export function serveEditorRequests(bridge: BridgeProcess, answer: (m: Message) => unknown | undefined): () => void {
  let stopped = false;
  let seen = 0;
  const tick = () => {
    if (stopped) return;
    for (; seen < bridge.messages.length; seen++) {
      const m = bridge.messages[seen]!;
      if (typeof m["method"] === "string" && "id" in m) {
        const result = answer(m);
        if (result !== undefined) bridge.send({ jsonrpc: "2.0", id: m["id"], ...(result as object) });
      }
    }
    setTimeout(tick, 5);
  };
  tick();
  return () => {
    stopped = true;
  };
}
