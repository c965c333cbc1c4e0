// One prompt per act: an fs-using agent that asks permission for its tool call, then carries it out through fs/* or terminal/*.
import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BridgeProcess } from "../support/bridge.js";
import { answerPrompts, ERR, type Harness, harness, startBridge, turn } from "../toolhost/support.js";

let h: Harness;
let bridge: BridgeProcess | undefined;
const stops: Array<() => void> = [];
beforeEach(() => {
  h = harness();
});
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await bridge?.close();
  bridge = undefined;
  h.cleanup();
});

async function start(kind: string, flags: string[] = []) {
  const started = await startBridge(h, flags);
  bridge = started.bridge;
  const { prompts, stop } = answerPrompts(started.bridge, () => kind);
  stops.push(stop);
  return { ...started, prompts };
}

/** As older adapters did: ask for the tool call (with its path or command), then do it through the client. */
const askWrite = (file: string, id = "tc-1") => ({ op: "permission", title: `Write ${file}`, kind: "edit", id, rawInput: { file_path: `\${cwd}/${file}`, content: "x" }, locations: [`\${cwd}/${file}`] });
const write = (file: string, content = "written\n") => ({ op: "write", path: `\${cwd}/${file}`, content });

describe("one prompt per act", () => {
  it("the write that carries out an answered request is not asked again; another write is", async () => {
    const { bridge: b, sessionId, prompts } = await start("allow_once");
    const [asked, written, other] = await turn(b, sessionId, [askWrite("notes.txt"), write("notes.txt"), write("other.txt")]);
    expect(asked!.result.ok.outcome.outcome).toBe("selected");
    expect(written!.result).toEqual({ ok: {} });
    expect(other!.result).toEqual({ ok: {} });
    expect(readFileSync(`${h.ws}/notes.txt`, "utf8")).toBe("written\n");
    // The agent's own prompt, then the bridge's for other.txt only.
    expect(prompts.map((p) => p["params"].toolCall.title)).toEqual(["Write notes.txt", `Create ${h.ws}/other.txt`]);
    await b.waitForStderr(`policy: write ${h.ws}/notes.txt: pending (the default: writes are asked) → allow-once (the editor's answer: its answer to the agent's own request "Write notes.txt" for this tool call; not asked again)`);
  });

  it("the command that carries out an answered request is not asked again", async () => {
    const { bridge: b, sessionId, prompts } = await start("allow_once");
    const [, ran] = await turn(b, sessionId, [
      { op: "permission", title: "echo hi > out.txt", kind: "execute", id: "tc-2", rawInput: { command: "echo hi > out.txt" } },
      { op: "terminal", command: "echo hi > out.txt" },
    ]);
    expect(ran!.result.ok.exit).toEqual({ exitCode: 0, signal: null });
    expect(readFileSync(`${h.ws}/out.txt`, "utf8")).toBe("hi\n");
    expect(prompts).toHaveLength(1);
  });

  it("a refused request refuses the operation too, without asking again", async () => {
    const { bridge: b, sessionId, prompts } = await start("reject_once");
    const [, written] = await turn(b, sessionId, [askWrite("notes.txt"), write("notes.txt")]);
    expect(written!.result.error).toEqual({
      code: ERR.invalidParams,
      message: `acp-sandbox: write ${h.ws}/notes.txt refused by the editor's answer: its answer to the agent's own request "Write notes.txt" for this tool call`,
    });
    expect(existsSync(`${h.ws}/notes.txt`)).toBe(false);
    expect(prompts).toHaveLength(1);
  });

  it("the policy still checks the operation: a deny rule refuses both, and the editor is never asked", async () => {
    const { bridge: b, sessionId, prompts } = await start("allow_once", ["--deny", "write:notes.txt"]);
    const [asked, written] = await turn(b, sessionId, [askWrite("notes.txt"), write("notes.txt")]);
    expect(asked!.result.ok.outcome).toEqual({ outcome: "selected", optionId: "reject" });
    expect(written!.result.error.message).toBe(`acp-sandbox: write ${h.ws}/notes.txt refused by --deny write:notes.txt`);
    expect(prompts).toHaveLength(0);
  });

  it("an answer covers one operation of the same turn only", async () => {
    const { bridge: b, sessionId, prompts } = await start("allow_once");
    await turn(b, sessionId, [askWrite("notes.txt"), write("notes.txt"), write("notes.txt", "again\n")]);
    expect(prompts).toHaveLength(2);
    await turn(b, sessionId, [askWrite("later.txt")]);
    await turn(b, sessionId, [write("later.txt")]);
    expect(prompts).toHaveLength(4);
  });
});
