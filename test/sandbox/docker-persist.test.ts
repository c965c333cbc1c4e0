// Docker beyond one session: kept containers found again and checked, ls and prune, orphans of a killed bridge.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { containerOptions } from "../../src/sandbox/docker/container-options.js";
import { listSandboxContainers, removeContainer } from "../../src/sandbox/docker/housekeeping.js";
import { LABEL } from "../../src/sandbox/docker/labels.js";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { BRIDGE, BridgeProcess, SCRIPTED_AGENT } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { backends, stage, type Stage } from "./support.js";

const docker = (await backends()).find((b) => b.name === "docker")!;
const AGENT = [process.execPath, SCRIPTED_AGENT];

describeBackend("docker: kept containers, ls, prune", docker.unavailable, () => {
  let s: Stage;
  let image: string;
  const started: BridgeProcess[] = [];
  const mine = () => listSandboxContainers(dockerClient(), { [LABEL.workspace]: s.workspace });
  const syncDir = () => path.join(s.env["XDG_STATE_HOME"]!, "acp-sandbox", "sync");
  const cli = (args: string[]) => spawnSync(process.execPath, [BRIDGE, ...args], { encoding: "utf8", env: s.env });
  const start = (extra: string[] = []) => {
    const bridge = BridgeProcess.start(AGENT, ["--sandbox", "docker", "--workspace", s.workspace, "--allow", "terminal", ...extra], { env: s.env });
    started.push(bridge);
    return bridge;
  };
  const terminal = async (bridge: BridgeProcess, script: string) => {
    await bridge.initialize();
    const sessionId = await bridge.newSession(s.workspace);
    await bridge.prompt(sessionId, [{ op: "terminal", command: "sh", args: ["-c", script] }], 30_000);
    return String(bridge.results().at(-1)?.result.ok?.output?.output ?? JSON.stringify(bridge.results()));
  };

  beforeAll(async () => {
    image = await ensureLocalNodeImage();
    s = stage();
  });
  afterEach(async () => {
    for (const bridge of started.splice(0)) {
      if (bridge.child.exitCode === null && bridge.child.signalCode === null) {
        bridge.kill("SIGKILL");
        await bridge.waitExit();
      }
    }
  });
  afterAll(async () => {
    for (const c of await mine()) await removeContainer(dockerClient(), c.id);
    s.cleanup();
  });

  it("--persist reuse keeps the container, finds it again, and ls and prune see it", { timeout: 90_000 }, async () => {
    const first = start(["--persist", "reuse"]);
    expect(await terminal(first, "echo from-first > /tmp/left-here; echo ok")).toContain("ok");
    expect((await first.close()).code).toBe(0);
    const kept = await mine();
    // Idle while no bridge uses it: paused, so nothing the agent left there runs unattended.
    expect(kept.map((c) => [c.persist, c.state])).toEqual([["reuse", "paused"]]);

    const second = start(["--persist", "reuse"]);
    expect(await terminal(second, "cat /tmp/left-here")).toContain("from-first");
    await second.waitForStderr("reusing kept container");
    expect((await second.close()).code).toBe(0);
    expect((await mine()).map((c) => c.id)).toEqual([kept[0]!.id]);

    const listed = cli(["ls", "-w", s.workspace]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${kept[0]!.name}\\s+paused\\s+reuse\\s+-\\s+\\S+\\s+${s.workspace}`));

    const pruned = cli(["prune", "-w", s.workspace]);
    expect(pruned.status).toBe(0);
    expect(pruned.stdout).toContain(`removed ${kept[0]!.name} (reuse, ${s.workspace})`);
    expect(await mine()).toEqual([]);
  });

  it("refuses a kept container whose mounts differ from what the session needs", { timeout: 60_000 }, async () => {
    // Stage the mismatch: a container labelled as the kept one for this workspace and configuration, but
    // whose workspace mount is read-only and which also shows /etc.
    const probe = start(["--persist", "reuse"]);
    await probe.initialize();
    await probe.close();
    const [kept] = await mine();
    const info = await dockerClient().getContainer(kept!.id).inspect();
    await removeContainer(dockerClient(), kept!.id);
    const labels = info.Config.Labels;
    const forged = await dockerClient().createContainer({
      ...containerOptions({
        spec: { workspace: s.workspace, runtimeRoot: s.workspace, extraDirectories: [{ hostPath: "/etc", runtimePath: "/host-etc", writable: false }], env: {}, network: "none", limits: {}, label: "x" },
        image,
        runtime: undefined,
        persist: "reuse",
        session: "forged",
        owner: "nowhere/1/1",
        uid: 0,
        gid: 0,
        home: "/root",
      }),
      name: `acp-sandbox-forged-${Date.now()}`,
      Labels: labels,
    });
    const bridge = start(["--persist", "reuse"]);
    const init = await bridge.initialize();
    expect(init["error"]?.message).toMatch(/the kept container acp-sandbox-forged-\d+ for .* has other mounts than this session needs/);
    expect(init["error"]?.message).toContain("/etc→/host-etc (ro)");
    expect(init["error"]?.message).toContain("acp-sandbox prune");
    expect((await bridge.waitExit()).code).toBe(1);
    expect((await mine()).map((c) => c.id)).toEqual([forged.id]);
    await removeContainer(dockerClient(), forged.id);
  });

  it("prune removes the transient container a SIGKILLed bridge left", { timeout: 60_000 }, async () => {
    const bridge = start();
    await bridge.initialize();
    bridge.kill("SIGKILL");
    await bridge.waitExit();
    const left = await mine();
    expect(left.map((c) => [c.persist, c.ownerAlive])).toEqual([["transient", false]]);
    expect(cli(["ls", "-w", s.workspace]).stdout).toMatch(new RegExp(`${left[0]!.name}\\s+running\\s+transient\\s+gone`));
    // -w keeps prune to one workspace (tests running beside this one have theirs).
    expect(cli(["prune", "-w", s.home]).stdout).toContain("nothing to remove");
    expect(await mine()).toHaveLength(1);
    const pruned = cli(["prune", "-w", s.workspace]);
    expect(pruned.stdout).toContain(`removed ${left[0]!.name} (transient, ${s.workspace})`);
    expect(await mine()).toEqual([]);
  });

  it("prune removes a SIGKILLed copy-mode bridge's container and its sync record", { timeout: 60_000 }, async () => {
    const records = () => (existsSync(syncDir()) ? readdirSync(syncDir()) : []);
    const bridge = start(["--mount", "copy"]);
    await bridge.initialize();
    await bridge.newSession(s.workspace);
    expect(records()).toHaveLength(1);
    bridge.kill("SIGKILL");
    await bridge.waitExit();
    const [left] = await mine();
    expect(left).toMatchObject({ persist: "transient", ownerAlive: false, copy: true });
    const pruned = cli(["prune", "-w", s.workspace]);
    expect(pruned.stdout).toContain(`removed ${left!.name} (transient, ${s.workspace}) and its sync record`);
    expect(await mine()).toEqual([]);
    expect(records()).toEqual([]);
  });
});
