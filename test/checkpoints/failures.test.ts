// A bridge killed in the middle of a checkpoint, and a disk that fills up during one: the last good checkpoint stands.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type BridgeProcess } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { harness, type Harness, startBridge, turn } from "../toolhost/support.js";
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

const sh = (command: string) => [{ op: "sh", command }];

function storeDir(env: NodeJS.ProcessEnv): string {
  const root = path.join(env["XDG_STATE_HOME"]!, "acp-sandbox", "checkpoints");
  return path.join(root, readdirSync(root)[0]!);
}

function objectCount(dir: string): number {
  let n = 0;
  for (const prefix of existsSync(dir) ? readdirSync(dir) : []) if (!prefix.startsWith(".")) n += readdirSync(path.join(dir, prefix)).length;
  return n;
}

describeBackend("a bridge killed mid-checkpoint", undefined, () => {
  it("leaves the last good checkpoint intact, and the next bridge carries on", { timeout: 120_000 }, async () => {
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h));
    const start = picture(h.ws);
    await turn(bridge, sessionId, sh("printf one > one.txt"));
    const store = storeDir(h.env);
    const objects = path.join(store, "objects");
    const before = objectCount(objects);
    // Thousands of new files: the next checkpoint has to store each of them, and is killed while it does.
    mkdirSync(path.join(h.ws, "many"));
    for (let i = 0; i < 3000; i++) writeFileSync(path.join(h.ws, "many", `f${i}.txt`), `file ${i} ${"x".repeat(1000)}\n`);
    const pid = bridge.child.pid!;
    void bridge.prompt(sessionId, sh("printf two > two.txt")).catch(() => {});
    const deadline = Date.now() + 30_000;
    while (objectCount(objects) < before + 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    process.kill(pid, "SIGKILL");
    await bridge.waitExit();
    bridge = undefined;
    expect(objectCount(objects)).toBeLessThan(before + 3000);
    expect(existsSync(path.join(h.ws, "two.txt"))).toBe(false);

    // Only the complete checkpoint exists, and it restores.
    const list = await listed(h.ws, h.env);
    expect(list.map((c) => [c.id, c.changes])).toEqual([[1, { added: 1, modified: 0, deleted: 0 }]]);
    const run = await cli(["rollback", "-w", h.ws, "--to", "1", "--force"], h.env);
    expect(run.code, run.stderr).toBe(0);
    expect(picture(h.ws)).toEqual(start);

    // The next bridge takes its checkpoints as usual.
    ({ bridge, sessionId } = await startBridge(h));
    await turn(bridge, sessionId, sh("printf three > three.txt"));
    expect((await listed(h.ws, h.env)).map((c) => c.kind)).toEqual(["turn", "rollback", "turn"]);
  });
});

/** A tiny tmpfs of our own for the state directory: the real ENOSPC. */
function tmpfsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root";
  const probe = mkdtempSync(path.join(os.tmpdir(), "acp-ck-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return undefined;
  } catch {
    return "mount -t tmpfs is not permitted here";
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describeBackend("a full disk during a checkpoint", tmpfsUnavailable(), () => {
  let mnt: string | undefined;
  afterEach(() => {
    if (mnt) execFileSync("umount", [mnt], { stdio: "ignore" });
    if (mnt) rmSync(mnt, { recursive: true, force: true });
    mnt = undefined;
  });

  it("fails the checkpoint with a clear warning; the turn goes on", { timeout: 60_000 }, async () => {
    mnt = mkdtempSync(path.join(os.tmpdir(), "acp-ck-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt]);
    const env = { ...h.env, XDG_STATE_HOME: mnt };
    writeFileSync(path.join(h.ws, "big.bin"), Buffer.alloc(512 * 1024, 7));
    const b = (bridge = (await startBridge({ ...h, env })).bridge);
    const sessionId = b.messages.find((m) => m["result"]?.sessionId)!["result"].sessionId as string;
    const from = b.messages.length;
    const response = await b.prompt(sessionId, sh("printf done > after.txt"));
    expect(response["result"]).toEqual({ stopReason: "end_turn" });
    expect(existsSync(path.join(h.ws, "after.txt"))).toBe(true);
    const text = b.messages
      .slice(from)
      .filter((m) => m["params"]?.update?.sessionUpdate === "agent_message_chunk")
      .map((m) => String(m["params"].update.content.text))
      .join("");
    const store = path.join(mnt, "acp-sandbox", "checkpoints", readdirSync(path.join(mnt, "acp-sandbox", "checkpoints"))[0]!);
    expect(text).toContain(`[acp-sandbox] checkpoint failed: no space left on the device that holds ${store}; this turn goes on without a checkpoint`);
    await b.waitForStderr("checkpoint failed: no space left on the device");
    // Nothing half-written is left to look like a checkpoint, and no temp file fills the disk.
    expect(await listed(h.ws, env)).toEqual([]);
    expect(existsSync(path.join(store, "tmp")) ? readdirSync(path.join(store, "tmp")) : []).toEqual([]);
    expect(readdirSync(path.join(store, "objects")).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
  });
});
