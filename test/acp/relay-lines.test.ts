// The relay's forwarding rule: a notification no handler changed goes on as the bytes it came as; a changed one is serialized again.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Endpoint } from "../../acp/endpoint.js";
import { isObject } from "../../acp/jsonrpc.js";
import { Relay } from "../../acp/relay.js";
import { noTrace } from "../../acp/trace.js";
import { LineWriter, readLines } from "../../acp/wire.js";
import { createLogger } from "../../src/log/logger.js";

/** Feeds `lines` from the agent through a relay whose session/update handler marks updates that ask for it; returns what the editor got. */
async function editorReceives(lines: string[]): Promise<string> {
  const log = createLogger("silent");
  const toEditor = new PassThrough();
  const relay = new Relay(new Endpoint("editor", new LineWriter(toEditor), noTrace, log), noTrace, log);
  relay.attachAgent(new Endpoint("agent", new LineWriter(new PassThrough()), noTrace, log));
  relay.onNotification("agent", "session/update", (message) => {
    const params = message["params"];
    return isObject(params) && params["change"] ? { ...message, params: { ...params, changed: true } } : message;
  });
  const fromAgent = new PassThrough();
  await new Promise<void>((resolve) => {
    readLines(fromAgent, 1024 * 1024, (event) => relay.receive("agent", event), resolve);
    fromAgent.end(lines.join(""));
  });
  toEditor.end();
  return (await toEditor.toArray()).join("");
}

describe("forwarding notifications", () => {
  it("sends an unchanged notification as it came and serializes a changed one again", async () => {
    const kept = '{ "method" : "session/update", "params" : {"z" : "\\u00e9", "a" : 1.0}, "jsonrpc" : "2.0" }\n';
    const changed = '{ "method" : "session/update", "params" : {"change" : true}, "jsonrpc" : "2.0" }\n';
    expect(await editorReceives([kept, changed])).toBe(kept + JSON.stringify({ method: "session/update", params: { change: true, changed: true }, jsonrpc: "2.0" }) + "\n");
  });
});
