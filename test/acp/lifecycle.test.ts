// Lifecycle end to end: every way the bridge or the agent can go, and nothing left running after.
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BridgeProcess, scratchWorkspace, SCRIPTED_AGENT } from "../support/bridge.js";
import { eventually, isAlive } from "../support/processes.js";

let workspace: { dir: string; cleanup: () => void };
let bridge: BridgeProcess | undefined;

beforeEach(() => {
  workspace = scratchWorkspace();
});

afterEach(async () => {
  if (bridge) {
    expect(bridge.strayStdout).toEqual([]);
    bridge.kill("SIGKILL");
    await bridge.waitExit().catch(() => {});
    bridge = undefined;
  }
  workspace.cleanup();
});

async function startWithChild(): Promise<{ sessionId: string; agentPid: number; childPid: number }> {
  bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir, "--grace", "500"]);
  const init = await bridge.initialize();
  const agentPid = init["result"]._meta.fixture.pid as number;
  const sessionId = await bridge.newSession(workspace.dir);
  await bridge.prompt(sessionId, [{ op: "spawn-child" }]);
  const childPid = bridge.results().find((r) => r.op === "spawn-child")!.result.ok.childPid as number;
  expect(isAlive(agentPid)).toBe(true);
  expect(isAlive(childPid)).toBe(true);
  return { sessionId, agentPid, childPid };
}

describe("the editor goes away", () => {
  it("closing stdin terminates the agent's whole process group and exits 0", async () => {
    const { agentPid, childPid } = await startWithChild();
    const exit = await bridge!.close();
    expect(exit.code).toBe(0);
    expect(await eventually(() => !isAlive(agentPid) && !isAlive(childPid))).toBe(true);
  });

  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    it(`${signal} to the bridge shuts down the same way`, async () => {
      const { agentPid, childPid } = await startWithChild();
      bridge!.kill(signal);
      const exit = await bridge!.waitExit();
      expect(exit.code).toBe(0);
      expect(await eventually(() => !isAlive(agentPid) && !isAlive(childPid))).toBe(true);
    });
  }

  it("closing stdin before initialize exits 0 without starting anything", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    const exit = await bridge.close();
    expect(exit.code).toBe(0);
    expect(bridge.stderr).not.toMatch(/error/i);
  });
});

describe("the agent goes away", () => {
  it("a crash mid-turn answers the pending prompt with the exit code and last stderr lines, then exits 1", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    await bridge.initialize();
    const sessionId = await bridge.newSession(workspace.dir);
    const response = await bridge.prompt(sessionId, [{ op: "stderr", text: "about to fail: disk on fire" }, { op: "crash", code: 42 }]);
    expect(response["error"].code).toBe(-32603);
    expect(response["error"].message).toMatch(/exited with code 42/);
    expect(response["error"].message).toMatch(/disk on fire/);
    const exit = await bridge.waitExit();
    expect(exit.code).toBe(1);
    expect(bridge.stderr).toMatch(/exited with code 42/);
  });

  it("an agent that spawns a child and dies takes the child with it", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    await bridge.initialize();
    const sessionId = await bridge.newSession(workspace.dir);
    const response = await bridge.prompt(sessionId, [{ op: "spawn-child", then: "die" }]);
    expect(response["error"].message).toMatch(/exited with code 3/);
    const childPid = bridge.results().find((r) => r.op === "spawn-child")!.result.ok.childPid as number;
    await bridge.waitExit();
    expect(await eventually(() => !isAlive(childPid))).toBe(true);
  });

  it("SIGKILL of the agent is reported with the signal", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    const init = await bridge.initialize();
    const sessionId = await bridge.newSession(workspace.dir);
    const turn = bridge.prompt(sessionId, [{ op: "say", text: "hanging" }, { op: "hang" }]);
    await bridge.waitFor((m) => m["params"]?.update?.content?.text === "hanging");
    process.kill(init["result"]._meta.fixture.pid, "SIGKILL");
    const response = await turn;
    expect(response["error"].message).toMatch(/was killed by SIGKILL/);
    expect((await bridge.waitExit()).code).toBe(1);
  });
});

describe("launch failures give one clear line and a JSON-RPC error, never a hang", () => {
  it("agent not found", async () => {
    bridge = BridgeProcess.start(["no-such-agent-xyz", "--acp"], ["--sandbox", "local", "--workspace", workspace.dir]);
    const response = await bridge.initialize();
    expect(response["error"].message).toMatch(/^no-such-agent-xyz not found on PATH/);
    expect((await bridge.waitExit()).code).toBe(1);
    expect(bridge.stderr).toMatch(/acp-sandbox: error: no-such-agent-xyz not found on PATH/);
    expect(bridge.stderr).not.toMatch(/\n\s+at /);
  });

  it("agent not executable", async () => {
    const script = path.join(workspace.dir, "agent.sh");
    writeFileSync(script, "#!/bin/sh\necho hi\n");
    chmodSync(script, 0o644);
    bridge = BridgeProcess.start([script], ["--sandbox", "local", "--workspace", workspace.dir]);
    const response = await bridge.initialize();
    expect(response["error"].message).toBe(`${script} is not executable`);
    expect((await bridge.waitExit()).code).toBe(1);
  });

  it("agent exits at once", async () => {
    bridge = BridgeProcess.start(["sh", "-c", "echo 'missing API key' >&2; exit 9"], ["--sandbox", "local", "--workspace", workspace.dir]);
    const response = await bridge.initialize();
    expect(response["error"].message).toMatch(/exited with code 9; its last stderr lines: missing API key/);
    expect((await bridge.waitExit()).code).toBe(1);
  });
});
