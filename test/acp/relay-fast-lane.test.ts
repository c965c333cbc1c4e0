// The relay's fast lane (notifications forwarded without a parse) sends the editor exactly what the full parse does.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Endpoint } from "../../acp/endpoint.js";
import { isObject } from "../../acp/jsonrpc.js";
import { Relay } from "../../acp/relay.js";
import { noTrace } from "../../acp/trace.js";
import { LineWriter, readLines } from "../../acp/wire.js";
import { createLogger } from "../../src/log/logger.js";

interface Outcome {
  readonly editor: string;
  readonly agent: string;
  /** session/update messages the handler was called with. */
  readonly handled: number;
}

/**
 * Feeds `lines` from the agent through a relay, with or without the fast lane; the session/update handler marks
 * updates that ask for it unless `unchanged` (its promise to the relay) says it changes nothing.
 */
async function relayAgentLines(lines: string[], fastLane: boolean, unchanged?: () => boolean): Promise<Outcome> {
  const log = createLogger("silent");
  const toEditor = new PassThrough();
  const toAgent = new PassThrough();
  const relay = new Relay(new Endpoint("editor", new LineWriter(toEditor), noTrace, log), noTrace, log);
  relay.attachAgent(new Endpoint("agent", new LineWriter(toAgent), noTrace, log));
  let handled = 0;
  relay.onNotification(
    "agent",
    "session/update",
    (message) => {
      handled += 1;
      const params = message["params"];
      // Honest to its `unchanged`: while that says so, it changes nothing.
      if (unchanged?.() === true) return message;
      return isObject(params) && params["change"] ? { ...message, params: { ...params, changed: true } } : message;
    },
    unchanged ? { unchanged } : {},
  );
  const fromAgent = new PassThrough();
  await new Promise<void>((resolve) => {
    readLines(fromAgent, 1024 * 1024, (event) => relay.receive("agent", event), resolve, fastLane ? { passThrough: (method) => relay.passesUnparsed("agent", method) } : {});
    fromAgent.end(lines.map((line) => line + "\n").join(""));
  });
  await new Promise((resolve) => setImmediate(resolve));
  toEditor.end();
  toAgent.end();
  return { editor: (await toEditor.toArray()).join(""), agent: (await toAgent.toArray()).join(""), handled };
}

const big = "x".repeat(70_000);

const TRICKY = [
  '{"jsonrpc":"2.0","method":"session/update","params":{"sessionId":"s","update":{"text":"plain"}}}',
  ` { "params" : {"z" : "\\u00e9 \\" \\\\ ${big}", "a" : 1.0e0}, "method" : "session/update", "jsonrpc" : "2.0" } `,
  '{"jsonrpc":"2.0","method":"_vendor/ping","params":{"method":"session/update","id":1}}',
  '{"jsonrpc":"2.0","method":"session/update","params":{"change":true}}',
  // duplicate keys: the last method wins in JSON.parse, so these must not be judged by their first method
  '{"jsonrpc":"2.0","method":"_vendor/ping","params":{},"method":"session/update"}',
  '{"jsonrpc":"2.0","method":"session/update","params":{"change":true},"method":"_vendor/ping"}',
  // escaped keys and method names
  '{"jsonrpc":"2.0","m\\u0065thod":"session/update","params":{"change":true}}',
  '{"jsonrpc":"2.0","method":"session\\/update","params":{"change":true}}',
  // requests and responses, ids as numbers and strings: never the fast lane
  '{"jsonrpc":"2.0","id":7,"method":"_vendor/ask","params":{}}',
  '{"jsonrpc":"2.0","id":"7","method":"_vendor/ask","params":{}}',
  '{"jsonrpc":"2.0","method":"_vendor/ask","params":{},"id":"late"}',
  '{"jsonrpc":"2.0","id":99,"result":{"method":"session/update"}}',
  // not JSON, or not an object: dropped, never forwarded
  `{"jsonrpc":"2.0","method":"session/update","params":{"s":"raw\u0001control ${big}"}}`,
  '{"jsonrpc":"2.0","method":"session/update","params":{"s":"\\q"}}',
  '{"jsonrpc":"2.0","method":"session/update","params":{}',
  '{"jsonrpc":"2.0","method":"session/update","params":{}} {}',
  '["session/update"]',
  "Loading model... 100%",
];

describe("the relay's fast lane", () => {
  it("sends the editor and the agent byte for byte what the full parse sends, for tricky lines", async () => {
    for (const unchanged of [() => true, () => false]) {
      const slow = await relayAgentLines(TRICKY, false, unchanged);
      const fast = await relayAgentLines(TRICKY, true, unchanged);
      expect(fast.editor).toBe(slow.editor);
      expect(fast.agent).toBe(slow.agent);
    }
    const slow = await relayAgentLines(TRICKY, false);
    expect(slow.editor).toContain("plain");
    expect(slow.editor).not.toContain("Loading");
    expect(slow.editor).not.toContain("control");
  });

  it("forwards a routed notification without calling its handler only while the handler says it would change nothing", async () => {
    const lines = ['{"jsonrpc":"2.0","method":"session/update","params":{"a":1}}', '{"jsonrpc":"2.0","method":"session/update","params":{"b":2}}'];
    expect((await relayAgentLines(lines, true, () => true)).handled).toBe(0);
    expect((await relayAgentLines(lines, true, () => false)).handled).toBe(2);
    expect((await relayAgentLines(lines, true)).handled).toBe(2);
  });

  it("still serializes a changed notification again when the handler says it may change it", async () => {
    const out = await relayAgentLines(['{ "method" : "session/update", "params" : {"change" : true}, "jsonrpc" : "2.0" }'], true, () => false);
    expect(out.editor).toBe(JSON.stringify({ method: "session/update", params: { change: true, changed: true }, jsonrpc: "2.0" }) + "\n");
  });

  it("leaves a notification that arrives while tracing to the full path, so the trace sees it", async () => {
    const log = createLogger("silent");
    const seen: string[] = [];
    const tracer = { record: (_direction: string, message: Record<string, unknown>) => void seen.push(String(message["method"])), close: async () => {} };
    const relay = new Relay(new Endpoint("editor", new LineWriter(new PassThrough()), tracer, log), tracer, log);
    relay.attachAgent(new Endpoint("agent", new LineWriter(new PassThrough()), tracer, log));
    expect(relay.passesUnparsed("agent", "_vendor/ping")).toBe(false);
    expect(relay.passesUnparsed("agent", "$/cancel_request")).toBe(false);
  });
});
