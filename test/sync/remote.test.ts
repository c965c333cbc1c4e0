// A remote Docker engine over TCP (a second dockerd in its own network namespace): copy mode is used by itself.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeBackend } from "../support/ci.js";
import { BridgeProcess, ROOT, SCRIPTED_AGENT, scratchWorkspace } from "../support/bridge.js";
import { processesMatching } from "../support/processes.js";
import { dockerUnavailable } from "./docker-support.js";
import { type RemoteEngine, remoteEngineUnavailable, startRemoteEngine } from "./remote-engine.js";
import { tempDir } from "./tree.js";

const unavailable = remoteEngineUnavailable() ?? (await dockerUnavailable());

describeBackend("copy mode on a remote Docker engine (TCP, another network namespace)", unavailable, () => {
  let engine: RemoteEngine;
  let home: ReturnType<typeof tempDir>;
  let ws: { dir: string; cleanup: () => void };
  let bridge: BridgeProcess | undefined;

  beforeAll(async () => {
    engine = await startRemoteEngine();
    home = tempDir("acp-sync-remote-home-");
    // The agent's program: this repository, granted read-only (the engine runs on this machine's disk here).
    writeFileSync(path.join(home.dir, "config.json"), JSON.stringify({ policy: { directories: [{ path: ROOT, access: "read" }] } }));
    ws = scratchWorkspace("acp-sync-remote-");
  }, 120_000);

  afterEach(() => {
    if (bridge && bridge.child.exitCode === null) bridge.kill("SIGKILL");
  });

  afterAll(async () => {
    const namespace = engine?.namespace;
    const dataRoot = engine?.dataRoot;
    await engine?.stop();
    home?.cleanup();
    ws?.cleanup();
    // Nothing of the second engine is left: no namespace, no dockerd, no containerd.
    if (namespace) expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(namespace);
    if (dataRoot) expect(processesMatching(dataRoot)).toEqual([]);
  }, 60_000);

  it("syncs the workspace in and the agent's work back, over TCP only", async () => {
    bridge = BridgeProcess.start(["node", SCRIPTED_AGENT], ["--sandbox", "docker", "--workspace", ws.dir, "--config", path.join(home.dir, "config.json"), "--allow", "terminal"], {
      env: { ...process.env, DOCKER_HOST: engine.host, XDG_STATE_HOME: path.join(home.dir, "state"), XDG_CONFIG_HOME: path.join(home.dir, "xdg") },
    });
    await bridge.initialize();
    const session = await bridge.newSession(ws.dir);
    // The container runs on the second engine, and the main engine knows nothing of it.
    const remote = await engine.docker.listContainers({ filters: JSON.stringify({ label: [`acp-sandbox.workspace=${ws.dir}`] }) });
    expect(remote).toHaveLength(1);
    const mounts = (await engine.docker.getContainer(remote[0]!.Id).inspect()).Mounts;
    expect(mounts.find((m) => m.Destination === ws.dir)?.Type).toBe("volume");
    const local = execFileSync("docker", ["ps", "-q", "--filter", `label=acp-sandbox.workspace=${ws.dir}`], { encoding: "utf8", env: { ...process.env, DOCKER_HOST: "" } });
    expect(local.trim()).toBe("");

    await bridge.prompt(session, [{ op: "terminal", command: "/bin/sh", args: ["-c", "cat README.md | head -1 && echo 'made on the remote engine' > remote.txt && rm src/math.js"], cwd: "${cwd}" }]);
    expect(bridge.results().at(-1)?.result?.ok?.output?.output).toContain("#");
    expect(existsSync(path.join(ws.dir, "remote.txt"))).toBe(false);
    expect((await bridge.close()).code).toBe(0);
    expect(readFileSync(path.join(ws.dir, "remote.txt"), "utf8")).toBe("made on the remote engine\n");
    expect(existsSync(path.join(ws.dir, "src/math.js"))).toBe(false);
    expect(bridge.stderr).toContain(`sync: copying ${ws.dir} into the sandbox (copy mode; changes come back when the session ends)`);
    expect(bridge.stderr).toMatch(/sync runtime → host: 1 entry \(26 B\), 1 deleted, 0 conflicts/);
    expect(await engine.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`acp-sandbox.workspace=${ws.dir}`] }) })).toEqual([]);
  }, 180_000);
});
