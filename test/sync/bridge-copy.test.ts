// Copy mode end to end: editor → built bridge → scripted agent in a Docker container working on its own copy.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { describeBackend } from "../support/ci.js";
import { BridgeProcess, type Message, ROOT, SCRIPTED_AGENT, scratchWorkspace } from "../support/bridge.js";
import { dockerUnavailable } from "./docker-support.js";
import { tempDir } from "./tree.js";

const docker = dockerClient();
const unavailable = await dockerUnavailable(docker);

/** The agent's program is this repository (read-only inside), granted the way a user grants a directory. */
function agentConfig(dir: string): string {
  const file = path.join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ policy: { directories: [{ path: ROOT, access: "read" }] } }));
  return file;
}

function terminal(command: string, cwd = "${cwd}") {
  return { op: "terminal", command: "/bin/sh", args: ["-c", command], cwd };
}

function conflictMessages(bridge: BridgeProcess): string[] {
  return bridge.messages
    .filter((m: Message) => m["method"] === "session/update" && m["params"]?.update?.sessionUpdate === "agent_message_chunk")
    .map((m: Message) => String(m["params"].update.content.text))
    .filter((text) => text.includes("[acp-sandbox] sync conflict"));
}

async function containersFor(workspace: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`acp-sandbox.workspace=${workspace}`] }) });
  return list.length;
}

describeBackend("copy mode through the bridge (docker)", unavailable, () => {
  let ws: { dir: string; cleanup: () => void };
  let home: ReturnType<typeof tempDir>;
  let config: string;
  let bridge: BridgeProcess | undefined;

  beforeAll(() => {
    home = tempDir("acp-sync-e2e-home-");
    config = agentConfig(home.dir);
  });
  afterAll(() => home.cleanup());
  beforeEach(() => {
    ws = scratchWorkspace("acp-sync-e2e-");
  });
  afterEach(async () => {
    if (bridge && bridge.child.exitCode === null) bridge.kill("SIGKILL");
    bridge = undefined;
    ws.cleanup();
  });

  function start(extra: readonly string[]): BridgeProcess {
    bridge = BridgeProcess.start(
      ["node", SCRIPTED_AGENT],
      ["--sandbox", "docker", "--mount", "copy", "--workspace", ws.dir, "--config", config, "--allow", "terminal", "--allow", "write", ...extra],
      { env: { ...process.env, XDG_STATE_HOME: path.join(home.dir, "state"), XDG_CONFIG_HOME: path.join(home.dir, "xdg") } },
    );
    return bridge;
  }

  it("turn mode: each turn's changes land on the host when the turn ends, not before; host edits reach the copy; protected paths stay behind", async () => {
    const b = start(["--sync", "turn"]);
    await b.initialize();
    const session = await b.newSession(ws.dir);
    const turn = b.prompt(session, [
      terminal("echo from-the-agent > made.txt && rm README.md && chmod 755 src/math.js && mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit"),
      { op: "sleep", ms: 1500 },
    ]);
    // The command has run inside; the host has not seen it yet: the agent works on a copy.
    await b.waitFor((m) => m["method"] === "session/update" && String(m["params"]?.update?.content?.text ?? "").startsWith("RESULT"), 30_000);
    expect(existsSync(path.join(ws.dir, "made.txt"))).toBe(false);
    expect(existsSync(path.join(ws.dir, "README.md"))).toBe(true);
    const done = await turn;
    expect(done["result"]).toEqual({ stopReason: "end_turn" });
    expect(readFileSync(path.join(ws.dir, "made.txt"), "utf8")).toBe("from-the-agent\n");
    expect(existsSync(path.join(ws.dir, "README.md"))).toBe(false);
    expect(statSync(path.join(ws.dir, "src/math.js")).mode & 0o777).toBe(0o755);
    expect(existsSync(path.join(ws.dir, ".git/hooks/pre-commit"))).toBe(false);

    writeFileSync(path.join(ws.dir, "from-host.txt"), "typed in the editor\n");
    await b.prompt(session, [terminal("cat from-host.txt")]);
    const cat = b.results().at(-1);
    expect(cat?.result?.ok?.output?.output).toContain("typed in the editor");

    await b.close();
    expect(b.stderr).toMatch(/sync host → runtime: \d+ entries .* in \d+ ms/);
    // made.txt, src/math.js's mode and .git come back; README.md is deleted; .git/hooks and its file stay behind.
    expect(b.stderr).toMatch(/sync runtime → host: 3 entries \(61 B\), 1 deleted, 0 conflicts, 2 skipped/);
    expect(b.strayStdout).toEqual([]);
    expect(await containersFor(ws.dir)).toBe(0);
  }, 90_000);

  it("a file changed on the host during a turn is a conflict: the host copy stays, the agent's lands beside it, the editor is told", async () => {
    const b = start(["--sync", "turn"]);
    await b.initialize();
    const session = await b.newSession(ws.dir);
    const turn = b.prompt(session, [terminal("echo agent-version > src/math.js"), { op: "sleep", ms: 1500 }]);
    await b.waitFor((m) => m["method"] === "session/update" && String(m["params"]?.update?.content?.text ?? "").startsWith("RESULT"), 30_000);
    writeFileSync(path.join(ws.dir, "src/math.js"), "// edited by the user meanwhile\n");
    await turn;
    expect(readFileSync(path.join(ws.dir, "src/math.js"), "utf8")).toBe("// edited by the user meanwhile\n");
    expect(readFileSync(path.join(ws.dir, "src/math.acp-sandbox-conflict.js"), "utf8")).toBe("agent-version\n");
    expect(conflictMessages(b)).toEqual([
      "\n[acp-sandbox] sync conflict: src/math.js was changed in the runtime and changed on the host; the host copy stays; the runtime's version is kept as src/math.acp-sandbox-conflict.js\n",
    ]);
    await b.waitForStderr("warning: sync conflict: src/math.js was changed in the runtime and changed on the host");
    // The next turn starts from the host's version.
    await b.prompt(session, [terminal("cat src/math.js")]);
    expect(b.results().at(-1)?.result?.ok?.output?.output).toContain("edited by the user meanwhile");
    await b.close();
  }, 90_000);

  it("session mode: nothing comes back until the session ends, then everything does, deletions included", async () => {
    const b = start([]);
    await b.initialize();
    const session = await b.newSession(ws.dir);
    mkdirSync(path.join(ws.dir, "node_modules/dep"), { recursive: true });
    writeFileSync(path.join(ws.dir, "node_modules/dep/index.js"), "host only\n");
    await b.prompt(session, [terminal("mkdir -p lib && echo one > lib/a.txt && rm src/math.js && ls node_modules 2>&1 | head -1")]);
    expect(b.results().at(-1)?.result?.ok?.output?.output).toContain("No such file");
    expect(existsSync(path.join(ws.dir, "lib/a.txt"))).toBe(false);
    expect(existsSync(path.join(ws.dir, "src/math.js"))).toBe(true);
    const exit = await b.close();
    expect(exit.code).toBe(0);
    expect(readFileSync(path.join(ws.dir, "lib/a.txt"), "utf8")).toBe("one\n");
    expect(existsSync(path.join(ws.dir, "src/math.js"))).toBe(false);
    expect(readFileSync(path.join(ws.dir, "node_modules/dep/index.js"), "utf8")).toBe("host only\n");
    expect(b.stderr).toContain("sync: bringing the sandbox's changes back (the session is ending)");
    expect(b.stderr).toMatch(/sync runtime → host: 2 entries \(\d+ B\), 1 deleted, 0 conflicts/);
  }, 90_000);

  it("the agent's file requests go to its copy: a write lands on the host only when the session ends", async () => {
    const b = start([]);
    await b.initialize();
    const session = await b.newSession(ws.dir);
    await b.prompt(session, [
      { op: "write", path: "${cwd}/via-fs.txt", content: "written through the bridge\n" },
      terminal("cat via-fs.txt && echo made-by-a-command > by-terminal.txt"),
      { op: "read", path: "${cwd}/by-terminal.txt" },
    ]);
    const [write, cat, read] = b.results().slice(-3);
    expect(write?.result).toEqual({ ok: {} });
    expect(cat?.result?.ok?.output?.output).toContain("written through the bridge");
    expect(read?.result?.ok?.content).toBe("made-by-a-command\n");
    expect(existsSync(path.join(ws.dir, "via-fs.txt"))).toBe(false);
    await b.close();
    expect(readFileSync(path.join(ws.dir, "via-fs.txt"), "utf8")).toBe("written through the bridge\n");
    expect(readFileSync(path.join(ws.dir, "by-terminal.txt"), "utf8")).toBe("made-by-a-command\n");
  }, 90_000);

  it("a bridge killed mid-turn loses nothing: with --persist reuse, `acp-sandbox sync` brings the work back", async () => {
    try {
      const b = start(["--persist", "reuse"]);
      await b.initialize();
      const session = await b.newSession(ws.dir);
      void b.prompt(session, [terminal("echo precious > work.txt && rm README.md"), { op: "hang" }], 60_000).catch(() => {});
      await b.waitFor((m) => m["method"] === "session/update" && String(m["params"]?.update?.content?.text ?? "").startsWith("RESULT"), 30_000);
      b.kill("SIGKILL");
      await b.exited;
      expect(existsSync(path.join(ws.dir, "work.txt"))).toBe(false);
      expect(existsSync(path.join(ws.dir, "README.md"))).toBe(true);
      // The machine went down too: the kept container is stopped, its copy (a volume) is not lost.
      const [kept] = await docker.listContainers({ filters: JSON.stringify({ label: [`acp-sandbox.workspace=${ws.dir}`] }) });
      await docker.getContainer(kept!.Id).stop({ t: 1 });

      const env = { ...process.env, XDG_STATE_HOME: path.join(home.dir, "state"), XDG_CONFIG_HOME: path.join(home.dir, "xdg") };
      const recover = new BridgeProcess(["sync", "--workspace", ws.dir], { env });
      expect((await recover.waitExit(60_000)).code).toBe(0);
      expect(recover.stderr).toContain("sync: starting the kept container");
      expect(recover.stderr).toMatch(/sync runtime → host: 1 entry \(9 B\), 1 deleted, 0 conflicts/);
      expect(readFileSync(path.join(ws.dir, "work.txt"), "utf8")).toBe("precious\n");
      expect(existsSync(path.join(ws.dir, "README.md"))).toBe(false);

      const again = new BridgeProcess(["sync", "--workspace", ws.dir], { env });
      expect((await again.waitExit(60_000)).code).toBe(0);
      expect(again.stderr).toMatch(/sync runtime → host: 0 entries \(0 B\), 0 deleted, 0 conflicts/);
    } finally {
      for (const c of await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`acp-sandbox.workspace=${ws.dir}`] }) })) {
        await docker.getContainer(c.Id).remove({ force: true, v: true });
      }
    }
  }, 120_000);

  it("`acp-sandbox sync` without a kept copy says how to get one", async () => {
    const none = new BridgeProcess(["sync", "--workspace", ws.dir], { env: { ...process.env, XDG_STATE_HOME: path.join(home.dir, "state") } });
    expect((await none.waitExit()).code).toBe(1);
    expect(none.stderr).toContain(`acp-sandbox: error: no kept copy-mode container for ${ws.dir}; one is kept when a session runs with --mount copy --persist reuse`);
  });

  it("a bridge told to stop (SIGTERM) brings the work back before it removes the container", async () => {
    const b = start([]);
    await b.initialize();
    const session = await b.newSession(ws.dir);
    await b.prompt(session, [terminal("echo stopped-politely > stop.txt")]);
    b.kill("SIGTERM");
    expect((await b.waitExit()).code).toBe(0);
    expect(readFileSync(path.join(ws.dir, "stop.txt"), "utf8")).toBe("stopped-politely\n");
    expect(await containersFor(ws.dir)).toBe(0);
  }, 90_000);

  it("the agent crashing mid-turn still brings its work back", async () => {
    const b = start([]);
    await b.initialize();
    const session = await b.newSession(ws.dir);
    const reply = await b.prompt(session, [terminal("echo before-the-crash > saved.txt"), { op: "crash", code: 3 }]);
    expect(reply["error"]).toBeDefined();
    await b.waitExit();
    expect(readFileSync(path.join(ws.dir, "saved.txt"), "utf8")).toBe("before-the-crash\n");
    expect(await containersFor(ws.dir)).toBe(0);
  }, 90_000);
});

async function runscUnavailable(): Promise<string | undefined> {
  if (unavailable) return unavailable;
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  return info.Runtimes?.["runsc"] ? undefined : "runsc is not registered as a Docker runtime";
}
const runsc = await runscUnavailable();

describeBackend("copy mode under gVisor (docker --docker-runtime runsc)", runsc, () => {
  it("turn mode: the copy goes in, host edits reach it between turns, the agent's work comes back", async () => {
    const ws = scratchWorkspace("acp-sync-gvisor-");
    const home = tempDir("acp-sync-gvisor-home-");
    const b = BridgeProcess.start(
      ["node", SCRIPTED_AGENT],
      ["--sandbox", "docker", "--docker-runtime", "runsc", "--mount", "copy", "--sync", "turn", "--workspace", ws.dir, "--config", agentConfig(home.dir), "--allow", "terminal"],
      { env: { ...process.env, XDG_STATE_HOME: path.join(home.dir, "state"), XDG_CONFIG_HOME: path.join(home.dir, "xdg") } },
    );
    try {
      await b.initialize();
      const session = await b.newSession(ws.dir);
      await b.prompt(session, [terminal("echo from-gvisor > g.txt")]);
      expect(readFileSync(path.join(ws.dir, "g.txt"), "utf8")).toBe("from-gvisor\n");
      writeFileSync(path.join(ws.dir, "README.md"), "# rewritten on the host\n");
      await b.prompt(session, [terminal("cat README.md")]);
      expect(b.results().at(-1)?.result?.ok?.output?.output).toContain("# rewritten on the host");
      expect((await b.close()).code).toBe(0);
    } finally {
      if (b.child.exitCode === null) b.kill("SIGKILL");
      ws.cleanup();
      home.cleanup();
    }
  }, 120_000);
});
