// Checkpoints with Docker: copy mode (turn and session) brings the copy back with the host; kept containers pause when idle.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { listSandboxContainers, removeContainer } from "../../src/sandbox/docker/housekeeping.js";
import { LABEL } from "../../src/sandbox/docker/labels.js";
import { daemonInfo } from "../../src/sandbox/docker/probe.js";
import { BRIDGE, BridgeProcess, ROOT, SCRIPTED_AGENT, scratchWorkspace } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { dockerUnavailable } from "../sync/docker-support.js";

const docker = dockerClient();
const unavailable = await dockerUnavailable(docker);
const info = unavailable ? undefined : await daemonInfo(docker);
const runscUnavailable = unavailable ?? (info?.ok && info.info.runtimes.includes("runsc") ? undefined : "runsc is not registered with the Docker daemon");

let ws: { dir: string; cleanup: () => void };
let home: string;
let env: NodeJS.ProcessEnv;
let config: string;
const started: BridgeProcess[] = [];

beforeEach(() => {
  ws = scratchWorkspace("acp-ck-docker-");
  home = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-ck-docker-home-")));
  env = { ...process.env, XDG_STATE_HOME: path.join(home, "state"), XDG_CONFIG_HOME: path.join(home, "xdg") };
  // The agent's program is this repository (read-only inside), granted the way a user grants a directory.
  config = path.join(home, "config.json");
  writeFileSync(config, JSON.stringify({ policy: { directories: [{ path: ROOT, access: "read" }] } }));
});
afterEach(async () => {
  for (const b of started.splice(0)) {
    if (b.child.exitCode === null && b.child.signalCode === null) {
      b.kill("SIGKILL");
      await b.waitExit().catch(() => {});
    }
  }
  for (const c of await listSandboxContainers(docker, { [LABEL.workspace]: ws.dir }).catch(() => [])) await removeContainer(docker, c.id);
  ws.cleanup();
  rmSync(home, { recursive: true, force: true });
});

function start(flags: readonly string[]): BridgeProcess {
  const b = BridgeProcess.start(["node", SCRIPTED_AGENT], ["--sandbox", "docker", "--workspace", ws.dir, "--config", config, ...flags], { env });
  started.push(b);
  return b;
}

async function session(b: BridgeProcess): Promise<string> {
  const init = await b.initialize();
  if (!init["result"]) throw new Error(`initialize failed: ${JSON.stringify(init)}; ${b.stderr}`);
  return b.newSession(ws.dir);
}

/** Runs a shell line in the agent's own process (inside the container) and returns what it printed. */
async function sh(b: BridgeProcess, sessionId: string, command: string): Promise<string> {
  const before = b.results().length;
  const response = await b.prompt(sessionId, [{ op: "sh", command }], 60_000);
  if (!response["result"]) throw new Error(`prompt failed: ${JSON.stringify(response)}`);
  const result = b.results().slice(before).find((r) => r.op === "sh")!.result;
  if (!("ok" in result)) throw new Error(`sh failed: ${JSON.stringify(result)}`);
  return String(result.ok);
}

async function slash(b: BridgeProcess, sessionId: string, text: string): Promise<string> {
  const from = b.messages.length;
  const response = await b.prompt(sessionId, text, 60_000);
  expect(response["result"]).toEqual({ stopReason: "end_turn" });
  return b.messages
    .slice(from)
    .filter((m) => m["params"]?.update?.sessionUpdate === "agent_message_chunk")
    .map((m) => String(m["params"].update.content.text))
    .join("");
}

describeBackend("checkpoints in copy mode (docker)", unavailable, () => {
  it("turn mode: the checkpoint holds the synced state; /rollback restores the host and brings the copy to it", { timeout: 180_000 }, async () => {
    const b = start(["--mount", "copy", "--sync", "turn"]);
    const sessionId = await session(b);
    await sh(b, sessionId, "echo made > made.txt && echo changed >> README.md");
    expect(readFileSync(path.join(ws.dir, "made.txt"), "utf8")).toBe("made\n");
    const text = await slash(b, sessionId, "/rollback");
    expect(text).toContain("rolled back to checkpoint 1");
    expect(text).toContain("the sandbox's copy was brought to the same state");
    expect(existsSync(path.join(ws.dir, "made.txt"))).toBe(false);
    expect(readFileSync(path.join(ws.dir, "README.md"), "utf8")).not.toContain("changed");
    // The copy the agent works on holds the same.
    expect(await sh(b, sessionId, "test -e made.txt && echo present || echo absent; grep -c changed README.md || true")).toBe("absent\n0\n");
    await b.close(60_000);
  });

  it("session mode: /rollback resets the copy to the checkpoint; nothing of the undone turn reaches the host", { timeout: 180_000 }, async () => {
    const b = start(["--mount", "copy", "--sync", "session"]);
    const sessionId = await session(b);
    await sh(b, sessionId, "echo in-copy > copy-only.txt");
    expect(existsSync(path.join(ws.dir, "copy-only.txt"))).toBe(false);
    const text = await slash(b, sessionId, "/rollback");
    expect(text).toContain("the sandbox's copy was brought to the same state");
    expect(text).toContain("changes the copy held that had not come back to the host are gone");
    expect(await sh(b, sessionId, "test -e copy-only.txt && echo present || echo absent")).toBe("absent\n");
    await sh(b, sessionId, "echo kept > kept.txt");
    await b.close(60_000);
    // The session's end brings back what the copy holds now.
    expect(readFileSync(path.join(ws.dir, "kept.txt"), "utf8")).toBe("kept\n");
    expect(existsSync(path.join(ws.dir, "copy-only.txt"))).toBe(false);
  });
});

for (const [name, runtime, why] of [
  ["runc", [] as string[], unavailable],
  ["runsc (gVisor)", ["--docker-runtime", "runsc"], runscUnavailable],
] as const) {
  describeBackend(`a kept container pauses while idle (${name})`, why, () => {
    it("is paused when the bridge ends, so what the agent left running stops; resumed by the next bridge; ls shows it; prune removes it", { timeout: 240_000 }, async () => {
      const flags = ["--persist", "reuse", ...runtime];
      const first = start(flags);
      let sessionId = await session(first);
      // A process the agent leaves behind, ticking into the workspace.
      await sh(first, sessionId, "setsid sh -c 'while :; do echo tick >> ticks.txt; sleep 0.1; done' >/dev/null 2>&1 < /dev/null & sleep 0.5; echo started");
      await first.close(60_000);
      const [kept] = await listSandboxContainers(docker, { [LABEL.workspace]: ws.dir });
      expect(kept?.state).toBe("paused");
      const ls = spawnSync(process.execPath, [BRIDGE, "ls", "-w", ws.dir], { encoding: "utf8", env });
      expect(ls.stdout).toMatch(new RegExp(`${kept!.name}\\s+paused\\s+reuse`));
      const size = () => statSync(path.join(ws.dir, "ticks.txt")).size;
      const frozen = size();
      await new Promise((r) => setTimeout(r, 1000));
      expect(size()).toBe(frozen);

      const second = start(flags);
      sessionId = await session(second);
      expect((await listSandboxContainers(docker, { [LABEL.workspace]: ws.dir }))[0]?.state).toBe("running");
      const deadline = Date.now() + 10_000;
      while (size() === frozen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(size()).toBeGreaterThan(frozen);
      await second.close(60_000);
      expect((await listSandboxContainers(docker, { [LABEL.workspace]: ws.dir }))[0]?.state).toBe("paused");

      const prune = spawnSync(process.execPath, [BRIDGE, "prune", "-w", ws.dir], { encoding: "utf8", env });
      expect(prune.stdout, prune.stderr).toContain(`removed ${kept!.name} (reuse, ${ws.dir})`);
      expect(await listSandboxContainers(docker, { [LABEL.workspace]: ws.dir })).toEqual([]);
    });
  });
}
