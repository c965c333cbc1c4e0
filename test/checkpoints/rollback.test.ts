// Checkpoints through the built bridge and the CLI: turns that add, modify, delete, chmod and link, rolled back one by one.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BridgeProcess } from "../support/bridge.js";
import { harness, type Harness, startBridge, turn, writeConfig } from "../toolhost/support.js";
import { cli, listed, picture } from "./support.js";

let h: Harness;
let bridge: BridgeProcess | undefined;
beforeEach(() => {
  h = harness();
});
afterEach(async () => {
  await bridge?.close().catch(() => bridge?.kill());
  bridge = undefined;
  h.cleanup();
});

/** Excluded (node_modules) and protected (.vscode) paths: a rollback leaves them alone, so pictures skip them. */
const untouchable = (rel: string) => rel === "node_modules" || rel.startsWith("node_modules/") || rel === ".vscode" || rel.startsWith(".vscode/");

const sh = (command: string) => [{ op: "sh", command }];

describe("checkpoints and rollback", { timeout: 120_000 }, () => {
  it("rolls back to each checkpoint in turn, byte for byte; excluded and protected paths are left alone; a rollback can be undone", async () => {
    // A protected file, recorded in every checkpoint; the user changes it after the last turn.
    mkdirSync(path.join(h.ws, ".vscode"));
    writeFileSync(path.join(h.ws, ".vscode/settings.json"), "v1\n");
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h));
    const before: Array<Record<string, string>> = [picture(h.ws, untouchable)];
    // The agent edits with its own tools (a shell in its own process), as real agents do.
    await turn(bridge, sessionId, sh("mkdir -p lib && printf 'one\\n' > lib/a.txt && ln -s lib/a.txt link-a && printf x > gone.txt"));
    before.push(picture(h.ws, untouchable));
    await turn(bridge, sessionId, sh("printf 'two\\n' >> lib/a.txt && chmod 750 lib/a.txt && chmod 700 lib && ln -sfn README.md link-a"));
    before.push(picture(h.ws, untouchable));
    await turn(
      bridge,
      sessionId,
      sh("rm gone.txt && rm -r src && printf bin > tool.sh && chmod +x tool.sh && rm link-a && mkdir link-a && mkdir -p node_modules/x && echo dep > node_modules/x/i.js"),
    );
    const last = picture(h.ws, untouchable);
    await bridge.close();
    bridge = undefined;
    writeFileSync(path.join(h.ws, ".vscode/settings.json"), "v2\n");

    const list = await listed(h.ws, h.env);
    expect(list.map((c) => [c.id, c.kind, c.session, c.turn])).toEqual([
      [3, "turn", sessionId, 3],
      [2, "turn", sessionId, 2],
      [1, "turn", sessionId, 1],
    ]);
    expect(list[2]!.changes).toEqual({ added: 4, modified: 0, deleted: 0 });
    expect(list[1]!.changes).toEqual({ added: 0, modified: 2, deleted: 0 }); // lib/a.txt and link-a (a directory's mode is not counted)
    const text = await cli(["checkpoints", "-w", h.ws], h.env);
    expect(text.stdout).toContain(`3  `);
    expect(text.stdout).toMatch(/turn 1\s+\+4 ~0 -0\s+"\[\{\\"op\\":\\"sh\\"/);

    for (const id of [3, 2, 1]) {
      const run = await cli(["rollback", "-w", h.ws, "--to", String(id)], h.env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`rolled back to checkpoint ${id}`);
      expect(picture(h.ws, untouchable)).toEqual(before[id - 1]);
      // The agent's dependency and the user's editor settings stay: excluded and protected paths are never written.
      expect(readFileSync(path.join(h.ws, "node_modules/x/i.js"), "utf8")).toBe("dep\n");
      expect(readFileSync(path.join(h.ws, ".vscode/settings.json"), "utf8")).toBe("v2\n");
      expect(run.stdout).toContain("left alone: .vscode/settings.json: protected (**/.vscode/**): recorded, never written by a rollback");
    }
    // Each rollback checkpointed the workspace first: undoing the last one brings back the state before it.
    const all = await listed(h.ws, h.env);
    const undo = all[0]!;
    expect(undo.kind).toBe("rollback");
    const again = await cli(["rollback", "-w", h.ws, "--to", String(undo.id)], h.env);
    expect(again.code, again.stderr).toBe(0);
    expect(picture(h.ws, untouchable)).toEqual(before[1]);
    // And the very first rollback's own checkpoint holds the state after turn 3.
    const firstUndo = all.filter((c) => c.kind === "rollback").at(-1)!;
    expect((await cli(["rollback", "-w", h.ws, "--to", String(firstUndo.id)], h.env)).code).toBe(0);
    expect(picture(h.ws, untouchable)).toEqual(last);
  });

  it("a host edit made after the checkpoint is a conflict: listed, left alone, overwritten only with --force", async () => {
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h));
    const start = picture(h.ws);
    await turn(bridge, sessionId, sh("printf 'agent\\n' > agent.txt && printf 'agent edit\\n' >> README.md"));
    // The user edits after the turn: one file the agent touched, one it did not.
    writeFileSync(path.join(h.ws, "README.md"), "the user's README\n");
    writeFileSync(path.join(h.ws, "src", "mine.txt"), "the user's own file\n");
    const dry = await cli(["rollback", "-w", h.ws, "--dry-run"], h.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("dry run: rolling back to checkpoint 1");
    expect(dry.stdout).toContain("2 conflict(s) left alone");
    expect(readFileSync(path.join(h.ws, "agent.txt"), "utf8")).toBe("agent\n");

    const run = await cli(["rollback", "-w", h.ws], h.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("delete   agent.txt");
    expect(run.stdout).toMatch(/2 conflict\(s\) left alone[^\n]*\n {2}(README\.md|src\/mine\.txt)\n {2}(README\.md|src\/mine\.txt)\n/);
    expect(existsSync(path.join(h.ws, "agent.txt"))).toBe(false);
    expect(readFileSync(path.join(h.ws, "README.md"), "utf8")).toBe("the user's README\n");
    expect(readFileSync(path.join(h.ws, "src", "mine.txt"), "utf8")).toBe("the user's own file\n");

    const forced = await cli(["rollback", "-w", h.ws, "--to", "1", "--force"], h.env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("2 conflict(s) overwritten (--force)");
    expect(picture(h.ws)).toEqual(start);
  });

  it("refuses while a turn runs in the workspace; --force cancels the turn, then rolls back", async () => {
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h));
    await turn(bridge, sessionId, sh("printf 1 > one.txt"));
    const hanging = bridge.prompt(sessionId, [{ op: "sh", command: "printf 2 > two.txt" }, { op: "hang" }], 60_000);
    const deadline = Date.now() + 15_000;
    while (!existsSync(path.join(h.ws, "two.txt")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const refused = await cli(["rollback", "-w", h.ws], h.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`a turn is running in ${h.ws} (session ${sessionId}, bridge pid ${bridge.child.pid}); wait for it to end, or pass --force to cancel it`);
    expect(existsSync(path.join(h.ws, "two.txt"))).toBe(true);

    const forced = await cli(["rollback", "-w", h.ws, "--force"], h.env);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await hanging)["result"]).toEqual({ stopReason: "cancelled" });
    expect(forced.stdout).toContain("rolled back to checkpoint 2");
    expect(existsSync(path.join(h.ws, "two.txt"))).toBe(false);
    expect(readFileSync(path.join(h.ws, "one.txt"), "utf8")).toBe("1");
  });

  it("an unknown id names the ones that exist; a checkpoint with a missing or corrupt object is reported and nothing changes", async () => {
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h));
    await turn(bridge, sessionId, sh("printf 'v1' > data.txt"));
    await turn(bridge, sessionId, sh("printf 'v2' > data.txt"));
    await turn(bridge, sessionId, sh("printf 'v3' > data.txt"));
    await bridge.close();
    bridge = undefined;
    const unknown = await cli(["rollback", "-w", h.ws, "--to", "42"], h.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`no checkpoint 42 for ${h.ws}; the ones that exist are 3, 2, 1`);

    // Break the objects holding v1 (corrupt) and v2 (missing).
    const storeRoot = path.join(h.env["XDG_STATE_HOME"]!, "acp-sandbox", "checkpoints");
    const objects = path.join(storeRoot, readdirSync(storeRoot)[0]!, "objects");
    const sha = (s: string) => require("node:crypto").createHash("sha256").update(s).digest("hex") as string;
    const object = (s: string) => path.join(objects, sha(s).slice(0, 2), sha(s).slice(2));
    writeFileSync(object("v1"), "not v1");
    rmSync(object("v2"));
    const now = picture(h.ws);
    const corrupt = await cli(["rollback", "-w", h.ws, "--to", "2"], h.env);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain("checkpoint 2 is damaged: 1 stored file(s) missing or corrupt: data.txt (corrupt); nothing was changed");
    const missing = await cli(["rollback", "-w", h.ws, "--to", "3"], h.env);
    expect(missing.stderr).toContain("checkpoint 3 is damaged: 1 stored file(s) missing or corrupt: data.txt (missing); nothing was changed");
    expect(picture(h.ws)).toEqual(now);
    // The checkpoint whose objects are intact still works.
    expect((await cli(["rollback", "-w", h.ws, "--to", "1"], h.env)).code).toBe(0);
    expect(existsSync(path.join(h.ws, "data.txt"))).toBe(false);
  });

  it("keeps the newest checkpoints within checkpoints.keep and checkpoints.maxBytes", async () => {
    writeConfig(h, { checkpoints: { keep: 3, maxBytes: 3 * 1024 * 1024 } });
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h));
    for (let i = 1; i <= 5; i++) await turn(bridge, sessionId, sh(`printf 'turn ${i}' > counter.txt`));
    // The sweep runs after the turn, on the recorder's queue: one more turn makes sure it has run.
    await turn(bridge, sessionId, sh("true"));
    const ids = (await listed(h.ws, h.env)).map((c) => c.id);
    expect(ids).toEqual([6, 5, 4]);
    // 1 MiB of fresh random content per turn: within 3 MiB only the newest few stay.
    for (let i = 0; i < 4; i++) await turn(bridge, sessionId, sh(`head -c 1048576 /dev/urandom > big-${i}.bin`));
    await turn(bridge, sessionId, sh("true"));
    const after = await listed(h.ws, h.env);
    expect(after.length).toBeLessThan(3);
    expect(after[0]!.id).toBe(11);
  });

  it("prune removes the checkpoints of a workspace that no longer exists, and only those", async () => {
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h));
    await turn(bridge, sessionId, sh("printf x > x.txt"));
    await bridge.close();
    bridge = undefined;
    const other = harness();
    try {
      const env = { ...other.env, XDG_STATE_HOME: h.env["XDG_STATE_HOME"] };
      const b = (await startBridge({ ...other, env })).bridge;
      const sid = b.messages.find((m) => m["result"]?.sessionId)!["result"].sessionId as string;
      await turn(b, sid, sh("printf y > y.txt"));
      await b.close();
      rmSync(other.ws, { recursive: true, force: true });
      const prune = await cli(["prune", "-w", other.ws], h.env);
      expect(prune.stdout).toContain(`removed the checkpoints of ${other.ws} (the workspace no longer exists)`);
      expect((await listed(h.ws, h.env)).length).toBe(1);
      const again = await cli(["prune", "-w", other.ws], h.env);
      expect(again.stdout).not.toContain("removed the checkpoints");
    } finally {
      other.cleanup();
    }
  });

  it("--checkpoints off, or checkpoints.enabled false in the config file, takes none and leaves the commands to the agent", async () => {
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h, ["--checkpoints", "off"]));
    await turn(bridge, sessionId, sh("printf x > x.txt"));
    const [said] = await turn(bridge, sessionId, [{ op: "prompts" }]);
    expect(said!.result.ok).toHaveLength(2);
    await bridge.close();
    writeConfig(h, { checkpoints: { enabled: false } });
    ({ bridge, sessionId } = await startBridge(h));
    await turn(bridge, sessionId, sh("printf y > y.txt"));
    await bridge.close();
    bridge = undefined;
    expect(await listed(h.ws, h.env)).toEqual([]);
  });
});
