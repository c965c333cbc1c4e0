// `acp-sandbox run` and the CLI surface: output, exit statuses, help, usage errors.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BRIDGE, scratchWorkspace, SCRIPTED_AGENT } from "../support/bridge.js";
import { eventually, isAlive } from "../support/processes.js";

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(
  args: readonly string[],
  options: { input?: string; cwd?: string; onSpawn?: (pid: number) => void; onStdout?: (stdoutSoFar: string) => void } = {},
): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BRIDGE, ...args], { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      options.onStdout?.(stdout);
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.stdin.on("error", () => {});
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    options.onSpawn?.(child.pid!);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let workspace: { dir: string; cleanup: () => void };
beforeEach(() => {
  workspace = scratchWorkspace();
});
afterEach(() => workspace.cleanup());

const agent = ["--", process.execPath, SCRIPTED_AGENT];
const run = (prompt: unknown[] | string, extra: string[] = []) =>
  cli(["run", "--sandbox", "local", "--workspace", workspace.dir, "--prompt", typeof prompt === "string" ? prompt : JSON.stringify(prompt), ...extra, ...agent]);

describe("acp-sandbox run", () => {
  it("prints messages, thoughts, plans and tool calls as text and exits 0 on end_turn", async () => {
    const ran = await run([
      { op: "think", text: "pondering" },
      { op: "plan", entries: ["first step", "second step"] },
      { op: "tool", id: "t1", title: "Edit math.js", kind: "edit", locations: [`${workspace.dir}/src/math.js`] },
      { op: "say", text: "All done.\n" },
    ]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("(thinking) pondering");
    expect(ran.stdout).toContain("Plan:\n  [ ] first step\n  [ ] second step");
    expect(ran.stdout).toContain(`-> edit: Edit math.js (${workspace.dir}/src/math.js)`);
    expect(ran.stdout).toContain("   done: Edit math.js");
    expect(ran.stdout).toContain("All done.");
    expect(ran.stdout).toContain("[end_turn]");
    expect(ran.stderr).toMatch(/sandbox: local/);
  });

  it("--json prints one JSON object per line", async () => {
    const ran = await run([{ op: "say", text: "hello" }], ["--json"]);
    expect(ran.code).toBe(0);
    const events = ran.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ type: "update", update: { sessionUpdate: "agent_message_chunk", content: { text: "hello" } } });
    expect(events.at(-1)).toEqual({ type: "stop", stopReason: "end_turn", exitCode: 0 });
  });

  it.each([
    ["refusal", 3],
    ["max_tokens", 4],
    ["max_turn_requests", 4],
    ["cancelled", 5],
  ] as const)("stop reason %s exits %i", async (reason, code) => {
    const ran = await run([{ op: "stop", reason }]);
    expect(ran.code).toBe(code);
    expect(ran.stdout).toContain(`[${reason}]`);
  });

  it("--timeout cancels the turn: exit 5", async () => {
    const ran = await run([{ op: "hang" }], ["--timeout", "1"]);
    expect(ran.code).toBe(5);
    expect(ran.stderr).toMatch(/--timeout 1s reached/);
  });

  it("--timeout while the agent is still starting ends the run (exit 5) instead of waiting for it", async () => {
    const slowAgent = ["--", "sh", "-c", `sleep 4; exec "${process.execPath}" "${SCRIPTED_AGENT}"`];
    const ran = await cli(["run", "--sandbox", "local", "--workspace", workspace.dir, "--timeout", "1", "--prompt", JSON.stringify([{ op: "hang" }]), ...slowAgent]);
    expect(ran.code).toBe(5);
    expect(ran.stderr).toMatch(/--timeout 1s reached/);
    expect(ran.stdout).toContain("[cancelled]");
  });

  it("an agent crash exits 6 and says why", async () => {
    const ran = await run([{ op: "stderr", text: "fatal: out of tokens" }, { op: "crash", code: 17 }]);
    expect(ran.code).toBe(6);
    expect(ran.stdout).toMatch(/error: the agent .* exited with code 17; its last stderr lines: fatal: out of tokens/);
  });

  it("an agent that cannot start exits 6", async () => {
    const ran = await cli(["run", "--sandbox", "local", "--workspace", workspace.dir, "--prompt", "hi", "--", "no-such-agent-xyz"]);
    expect(ran.code).toBe(6);
    expect(ran.stderr).toMatch(/no-such-agent-xyz not found on PATH/);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });

  it("a permission refused under --approve none exits 7 and shows in the output", async () => {
    const ran = await run([{ op: "permission", title: "rm -rf build", kind: "execute" }], ["--approve", "none"]);
    expect(ran.code).toBe(7);
    expect(ran.stdout).toContain("permission: rm -rf build: refused (--approve none)");
    expect(ran.stdout).toContain('"outcome":{"outcome":"selected","optionId":"reject"}');
  });

  it("--approve all lets it through: exit 0", async () => {
    const ran = await run([{ op: "permission", title: "rm -rf build", kind: "execute" }], ["--approve", "all"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('"optionId":"allow"');
  });

  it("reads the prompt from --prompt-file and from stdin", async () => {
    const file = path.join(workspace.dir, "prompt.txt");
    writeFileSync(file, JSON.stringify([{ op: "say", text: "from a file" }]));
    const fromFile = await cli(["run", "--sandbox", "local", "--workspace", workspace.dir, "--prompt-file", file, ...agent]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain("from a file");
    const fromStdin = await cli(["run", "--sandbox", "local", "--workspace", workspace.dir, ...agent], { input: "plain words" });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toContain("You said: plain words");
  });

  it("no prompt, an unreadable prompt file, or both prompt flags: usage error 2", async () => {
    const none = await cli(["run", "--sandbox", "local", "--workspace", workspace.dir, ...agent], { input: "" });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no prompt: stdin was empty/);
    const missing = await cli(["run", "--workspace", workspace.dir, "--prompt-file", "/nonexistent/prompt", ...agent]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read --prompt-file \/nonexistent\/prompt: ENOENT/);
    const both = await cli(["run", "--workspace", workspace.dir, "--prompt", "a", "--prompt-file", "b", ...agent]);
    expect(both.code).toBe(2);
  });

  it("SIGINT cancels the turn (exit 5) and leaves nothing running", async () => {
    let pid = 0;
    let hanging: () => void = () => {};
    const childSpawned = new Promise<void>((resolve) => (hanging = resolve));
    const ran = cli(["run", "--sandbox", "local", "--workspace", workspace.dir, "--prompt", JSON.stringify([{ op: "spawn-child" }, { op: "hang" }]), ...agent], {
      onSpawn: (p) => (pid = p),
      // The agent has spawned its child and is hanging in the turn once the child's pid is printed.
      onStdout: (out) => /"childPid":\d+/.test(out) && hanging(),
    });
    await childSpawned;
    process.kill(pid, "SIGINT");
    const result = await ran;
    expect(result.code).toBe(5);
    const childPid = Number(/"childPid":(\d+)/.exec(result.stdout)?.[1]);
    expect(childPid).toBeGreaterThan(0);
    expect(await eventually(() => !isAlive(childPid))).toBe(true);
  });

  it("the demo runs the bundled agent on a scratch copy and exits 0", async () => {
    const ran = await cli(["demo", "--sandbox", "local"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("Plan:");
    expect(ran.stdout).toContain("[end_turn]");
  });
});

describe("the command line", () => {
  it("--help answers the question and lists the commands", async () => {
    const ran = await cli(["--help"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toMatch(/^Usage: acp-sandbox \[options\] -- <agent command>/);
    for (const word of ["run", "demo", "doctor", "--sandbox", "--workspace", "--trace", "--log-level"]) expect(ran.stderr).toContain(word);
  });

  it("run --help lists run's options and its exit codes", async () => {
    const ran = await cli(["run", "--help"]);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain("--prompt-file");
    expect(ran.stderr).toMatch(/Exit status:[\s\S]*7\s+an operation was refused by the permission policy/);
  });

  it("--version prints the version", async () => {
    const ran = await cli(["--version"]);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toMatch(/^acp-sandbox \d+\.\d+\.\d+\n$/);
  });

  it("a mistyped flag gets one clear line and the usage, not a stack trace", async () => {
    const ran = await cli(["--sandox", "local", "--", "agent"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr.split("\n")[0]).toBe("acp-sandbox: unknown option --sandox; did you mean --sandbox?");
    expect(ran.stderr).toContain("Usage: acp-sandbox");
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });

  it("a bad value names what was expected and what came", async () => {
    const ran = await cli(["--grace", "-1", "--", "agent"]);
    expect(ran.code).toBe(2);
    const sandbox = await cli(["--sandbox", "vm", "--", "agent"]);
    expect(sandbox.stderr.split("\n")[0]).toBe("acp-sandbox: Expected --sandbox to be one of auto, local, bwrap, docker, got `vm`");
  });

  it("a missing agent command or workspace is a usage error", async () => {
    const noAgent = await cli(["--sandbox", "local"]);
    expect(noAgent.code).toBe(2);
    expect(noAgent.stderr).toMatch(/no agent command; put it after --/);
    const noWorkspace = await cli(["--workspace", "/nonexistent/dir", "--", "agent"]);
    expect(noWorkspace.code).toBe(2);
    expect(noWorkspace.stderr).toMatch(/the workspace \/nonexistent\/dir does not exist/);
  });

  it("a mistyped command suggests the right one", async () => {
    const ran = await cli(["doctr"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/unknown command doctr; did you mean doctor\?/);
  });
});
