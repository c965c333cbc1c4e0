// Backpressure: an editor that stops reading slows the agent down without losing, reordering or leaking.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BridgeProcess, scratchWorkspace, SCRIPTED_AGENT } from "../support/bridge.js";

let workspace: { dir: string; cleanup: () => void };
let bridge: BridgeProcess | undefined;

beforeEach(() => {
  workspace = scratchWorkspace();
});

afterEach(async () => {
  if (bridge) {
    bridge.kill("SIGTERM");
    await bridge.waitExit().catch(() => {});
    bridge = undefined;
  }
  workspace.cleanup();
});

describe("an editor that stops reading", () => {
  it("gets every update in order once it reads again, and the bridge waits for one drain at a time", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    await bridge.initialize();
    const sessionId = await bridge.newSession(workspace.dir);
    const count = 3_000;
    bridge.child.stdout.pause();
    const turn = bridge.prompt(sessionId, [{ op: "updates", count, size: 200 }], 60_000);
    // Let the bridge fill the editor's pipe and hit backpressure while nobody reads.
    await new Promise((resolve) => setTimeout(resolve, 500));
    bridge.child.stdout.resume();
    const response = await turn;
    expect(response["result"]).toEqual({ stopReason: "end_turn" });
    const updates = bridge.messages.filter((m) => m["method"] === "session/update");
    expect(updates).toHaveLength(count);
    expect(updates.every((m) => m["params"].update.content.text === "x".repeat(200))).toBe(true);
    expect(bridge.strayStdout).toEqual([]);
    // One pending 'drain' wait per paused peer: no listener pile-up warning.
    expect(bridge.stderr).not.toContain("MaxListenersExceededWarning");
  });
});
