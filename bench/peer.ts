// One benchmark peer: a child process (the agent, or the bridge in front of it) and an ACP SDK client on its stdio.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";
import type { PeerCommand } from "./commands.js";
import { RssWatch } from "./rss.js";

/** Requests that reached the bench client although the bridge should have served them. */
export const CLIENT_SIDE_METHODS = [
  acp.methods.client.fs.readTextFile,
  acp.methods.client.fs.writeTextFile,
  acp.methods.client.terminal.create,
] as const;

const live = new Set<{ readonly child: { kill(signal: NodeJS.Signals): unknown } }>();

/** Kills every peer still running (the bench was interrupted). */
export function killAllPeers(): void {
  for (const peer of live) peer.child.kill("SIGKILL");
}

/** Registers a peer's child so that an interrupted bench kills it; returns the function that forgets it. */
export function trackPeer(peer: { readonly child: { kill(signal: NodeJS.Signals): unknown } }): () => void {
  live.add(peer);
  return () => live.delete(peer);
}

export class BenchError extends Error {
  override name = "BenchError";
}

/** Rejects with `what` if `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BenchError(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class Peer {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly connection: acp.ClientConnection;
  readonly exited: Promise<number | null>;
  readonly watch: RssWatch | undefined;
  /** session/update notifications received so far. */
  updates = 0;
  /** Text of the scripted agent's `RESULT {...}` lines, parsed, in order. */
  readonly results: Array<{ op: string; result: { ok?: unknown; error?: { code: number | null; message: string } } }> = [];
  /** Client-side requests (fs/*, terminal/*) that reached this client instead of being served by the bridge. */
  readonly reachedClient: string[] = [];
  /** session/request_permission requests the client answered. */
  permissionsAsked = 0;
  #stderr = "";
  #countWaiter: { count: number; resolve: () => void } | undefined;

  constructor(readonly command: PeerCommand, options: { cwd: string; watchMemory?: boolean }) {
    this.child = spawn(command.command, [...command.args], { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    live.add(this);
    this.child.stdin.on("error", () => {});
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => (this.#stderr = (this.#stderr + chunk).slice(-4000)));
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code) => {
        live.delete(this);
        resolve(code);
      }),
    );
    this.child.once("error", () => live.delete(this));
    this.watch = options.watchMemory && this.child.pid !== undefined ? new RssWatch(this.child.pid) : undefined;
    const app = acp
      .client({ name: "acp-sandbox-bench" })
      .onNotification(acp.methods.client.session.update, ({ params }) => {
        this.updates += 1;
        const update = params.update;
        if (update.sessionUpdate === "agent_message_chunk" && update.content.type === "text" && update.content.text.startsWith("RESULT ")) {
          this.results.push(JSON.parse(update.content.text.slice("RESULT ".length)));
        }
        if (this.#countWaiter && this.updates >= this.#countWaiter.count) {
          this.#countWaiter.resolve();
          this.#countWaiter = undefined;
        }
      })
      .onRequest(acp.methods.client.session.requestPermission, async ({ params }) => {
        this.permissionsAsked += 1;
        const option = params.options.find((o) => o.kind === "allow_always") ?? params.options.find((o) => o.kind === "allow_once") ?? params.options[0]!;
        return { outcome: { outcome: "selected", optionId: option.optionId } };
      });
    for (const method of CLIENT_SIDE_METHODS) {
      app.onRequest(method, async () => {
        this.reachedClient.push(method);
        throw new acp.RequestError(-32601, `${method} reached the bench client: the bridge did not serve it`);
      });
    }
    const stream = acp.ndJsonStream(
      Writable.toWeb(this.child.stdin) as WritableStream<Uint8Array>,
      Readable.toWeb(this.child.stdout) as unknown as ReadableStream<Uint8Array>,
    );
    this.connection = app.connect(stream);
  }

  get agent(): acp.ClientContext {
    return this.connection.agent;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines of the child's stderr, for error messages. */
  stderrTail(lines = 3): string {
    return this.#stderr.trim().split("\n").slice(-lines).join(" / ");
  }

  /** Resolves once `count` session/update notifications in all have arrived. */
  untilUpdates(count: number): Promise<void> {
    if (this.updates >= count) return Promise.resolve();
    return new Promise((resolve) => (this.#countWaiter = { count, resolve }));
  }

  async initialize(timeoutMs = 60_000): Promise<acp.InitializeResponse> {
    return within(
      this.agent.request(acp.methods.agent.initialize, {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
      }),
      timeoutMs,
      `${this.command.label}: initialize`,
    );
  }

  async newSession(cwd: string, timeoutMs = 60_000): Promise<string> {
    const session = await within(this.agent.request(acp.methods.agent.session.new, { cwd, mcpServers: [] }), timeoutMs, `${this.command.label}: session/new`);
    return session.sessionId;
  }

  /** Sends a scripted-agent prompt (a list of steps) and waits for the turn to end. */
  async prompt(sessionId: string, steps: unknown[], timeoutMs = 120_000): Promise<acp.PromptResponse> {
    return within(
      this.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: "text", text: JSON.stringify(steps) }] }),
      timeoutMs,
      `${this.command.label}: session/prompt`,
    );
  }

  /** Peak memory seen so far (bytes), ending the watch. */
  stopWatch(): number {
    return this.watch?.stop() ?? 0;
  }

  /** Closes stdin (the ACP way to end), waits for the exit, and kills after `graceMs`. Idempotent. */
  async close(graceMs = 10_000): Promise<void> {
    this.watch?.stop();
    this.connection.close();
    this.child.stdin.end();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill("SIGKILL");
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited.then(() => undefined), killed]);
    clearTimeout(timer);
    await this.exited;
  }
}

/** Describes a failure for an n/a cell: the error, and what the child said last on stderr. */
export function describeFailure(error: unknown, peer?: Peer): string {
  const message = error instanceof Error ? error.message : typeof error === "object" && error && "message" in error ? String((error as { message: unknown }).message) : String(error);
  const tail = peer?.stderrTail();
  return tail && !tail.includes(message) ? `${message}; stderr: ${tail}` : message;
}
