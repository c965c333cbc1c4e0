// A scripted stand-in for the Anthropic Messages API (SSE included), on loopback only; it records every request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Block = { readonly type: "text"; readonly text: string } | { readonly type: "tool_use"; readonly name: string; readonly input: Record<string, unknown> };

export interface Reply {
  readonly blocks: readonly Block[];
  readonly stopReason: "end_turn" | "tool_use" | "max_tokens";
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: any;
}

/** Decides the answer to a request of the main conversation (one that offers tools). */
export type Script = (request: any) => Reply;

const MODEL = "claude-sonnet-4-5-20250929";
let counter = 0;
const nextId = (prefix: string) => `${prefix}_standin${String(++counter).padStart(6, "0")}`;

/** The `tool_result` blocks of a conversation so far, in order. */
export function toolResults(request: any): Array<{ tool_use_id: string; content: unknown; is_error?: boolean }> {
  const out: Array<{ tool_use_id: string; content: unknown; is_error?: boolean }> = [];
  for (const message of request?.messages ?? []) {
    if (message.role !== "user" || !Array.isArray(message.content)) continue;
    for (const block of message.content) if (block?.type === "tool_result") out.push(block);
  }
  return out;
}

/** A tool result's text, whether it came as a string or as text blocks. */
export function resultText(result: { content: unknown }): string {
  if (typeof result.content === "string") return result.content;
  if (Array.isArray(result.content)) return result.content.map((b: any) => (typeof b?.text === "string" ? b.text : "")).join("");
  return "";
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function usage(output: number) {
  return { input_tokens: 42, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

/** Streams a reply exactly as the API does: message_start, blocks (text deltas, input_json deltas), message_delta, message_stop. */
function streamReply(res: ServerResponse, reply: Reply, model: string): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "request-id": nextId("req") });
  sse(res, "message_start", { type: "message_start", message: { id: nextId("msg"), type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: usage(1) } });
  sse(res, "ping", { type: "ping" });
  reply.blocks.forEach((block, index) => {
    if (block.type === "text") {
      sse(res, "content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
      // Split the text in two deltas, as the API streams it in pieces.
      const half = Math.ceil(block.text.length / 2);
      for (const piece of [block.text.slice(0, half), block.text.slice(half)]) {
        if (piece) sse(res, "content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } });
      }
    } else {
      sse(res, "content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: nextId("toolu"), name: block.name, input: {} } });
      const json = JSON.stringify(block.input);
      const third = Math.ceil(json.length / 3);
      for (let at = 0; at < json.length; at += third) {
        sse(res, "content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: json.slice(at, at + third) } });
      }
    }
    sse(res, "content_block_stop", { type: "content_block_stop", index });
  });
  sse(res, "message_delta", { type: "message_delta", delta: { stop_reason: reply.stopReason, stop_sequence: null }, usage: { output_tokens: 17 } });
  sse(res, "message_stop", { type: "message_stop" });
  res.end();
}

function jsonReply(res: ServerResponse, reply: Reply, model: string): void {
  const content = reply.blocks.map((b) => (b.type === "text" ? b : { type: "tool_use", id: nextId("toolu"), name: b.name, input: b.input }));
  send(res, 200, { id: nextId("msg"), type: "message", role: "assistant", model, content, stop_reason: reply.stopReason, stop_sequence: null, usage: usage(17) });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "request-id": nextId("req") });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Whether a request is the main conversation (it offers the agent's tools), not a side call (titles, summaries). */
export function isConversation(body: any): boolean {
  return Array.isArray(body?.tools) && body.tools.some((t: any) => t?.name === "Bash");
}

export class AnthropicStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #script: Script;

  private constructor(script: Script) {
    this.#script = script;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** Listens on 127.0.0.1 (loopback only) on a free port. */
  static async start(script: Script): Promise<AnthropicStandIn> {
    const standIn = new AnthropicStandIn(script);
    await new Promise<void>((resolve, reject) => {
      standIn.#server.once("error", reject);
      standIn.#server.listen(0, "127.0.0.1", () => resolve());
    });
    return standIn;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The main conversation's requests, in order. */
  conversation(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith("/v1/messages") && !r.path.includes("count_tokens") && isConversation(r.body));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://stand-in.invalid");
    const { authorization: _a, "x-api-key": _k, ...headers } = req.headers;
    this.requests.push({ method: req.method ?? "", path: url.pathname, headers, body });
    if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") return send(res, 200, { input_tokens: 42 });
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return send(res, 200, { data: [{ type: "model", id: MODEL, display_name: "Claude Sonnet 4.5 (stand-in)", created_at: "2025-09-29T00:00:00Z" }], has_more: false, first_id: MODEL, last_id: MODEL });
    }
    if (req.method === "POST" && url.pathname === "/v1/messages") {
      let reply: Reply;
      try {
        reply = isConversation(body) ? this.#script(body) : { blocks: [{ type: "text", text: "Stand-in title" }], stopReason: "end_turn" };
      } catch (error) {
        return send(res, 500, { type: "error", error: { type: "api_error", message: `stand-in script failed: ${(error as Error).message}` } });
      }
      const model = typeof body?.model === "string" ? body.model : MODEL;
      return body?.stream ? streamReply(res, reply, model) : jsonReply(res, reply, model);
    }
    send(res, 404, { type: "error", error: { type: "not_found_error", message: `the stand-in does not serve ${req.method} ${url.pathname}` } });
  }
}
