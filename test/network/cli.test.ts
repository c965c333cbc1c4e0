// The network's command line and editor-facing behaviour: bad patterns, local's refusal, the notice, README vs presets.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PRESETS } from "../../src/sandbox/presets.js";
import { BRIDGE, BridgeProcess, ROOT, SCRIPTED_AGENT, scratchWorkspace } from "../support/bridge.js";

function cli(args: readonly string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BRIDGE, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.stdin.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

let workspace: { dir: string; cleanup: () => void };
let bridge: BridgeProcess | undefined;
beforeEach(() => {
  workspace = scratchWorkspace("acp-net-cli-");
});
afterEach(() => {
  if (bridge && bridge.child.exitCode === null) bridge.kill("SIGKILL");
  bridge = undefined;
  workspace.cleanup();
});

describe("--allow-host and --deny-host", () => {
  it.each([
    ["--allow-host", "*", "--allow-host `*` would allow every host; name the hosts (or use --network open)"],
    ["--allow-host", "https://api.example.com", "--allow-host `https://api.example.com` has a scheme; give the host alone, like example.com"],
    ["--allow-host", "api.example.com/v1", "--allow-host `api.example.com/v1` has a path or user part; give the host alone, like example.com"],
    ["--allow-host", "a.example,b.example", "--allow-host `a.example,b.example` contains a comma or a space; give one host per flag"],
    ["--deny-host", "a.example b.example", "--deny-host `a.example b.example` contains a comma or a space; give one host per flag"],
    ["--allow-host", "api.example.com:http", "--allow-host `api.example.com:http` has a port that is not a number from 1 to 65535"],
  ])("%s %j is a usage error naming the entry", async (flag, entry, message) => {
    const ran = await cli(["--workspace", workspace.dir, "--sandbox", "bwrap", flag, entry, "--", process.execPath, SCRIPTED_AGENT]);
    expect(ran.code).toBe(2);
    expect(ran.stderr.split("\n")[0]).toBe(`acp-sandbox: ${message}`);
    expect(ran.stdout).toBe("");
  });

  it("is refused with a mode that has no allowlist, and --network allow is refused by local with the reason", async () => {
    const open = await cli(["--workspace", workspace.dir, "--network", "open", "--allow-host", "a.example", "--", process.execPath, SCRIPTED_AGENT]);
    expect(open.code).toBe(2);
    expect(open.stderr.split("\n")[0]).toBe("acp-sandbox: --allow-host applies to --network allow, but the network is open");
    const local = await cli(["--workspace", workspace.dir, "--sandbox", "local", "--network", "allow", "--", process.execPath, SCRIPTED_AGENT]);
    expect(local.code).toBe(2);
    expect(local.stderr.split("\n")[0]).toBe(
      "acp-sandbox: --network allow cannot be enforced by the local sandbox (the agent is a plain host process: it reaches every host and sees its keys); pass --sandbox bwrap or --sandbox docker, or --network open",
    );
    const gateway = await cli(["--workspace", workspace.dir, "--network", "none", "--credentials", "gateway", "--", process.execPath, SCRIPTED_AGENT]);
    expect(gateway.stderr.split("\n")[0]).toBe("acp-sandbox: --credentials gateway needs --network allow (the network is none)");
  });
});

describe("the editor hears about the network", () => {
  it("an agent no preset knows: network none, said in the transcript at session start with the flag to use", { timeout: 60_000 }, async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--workspace", workspace.dir, "--sandbox", "bwrap"]);
    const init = await bridge.initialize();
    expect(init["result"]._meta["acp-sandbox"].sandbox).toMatchObject({ network: "none", networkEnforcement: true });
    const sessionId = await bridge.newSession(workspace.dir);
    const notice = await bridge.waitFor((m) => m["method"] === "session/update" && String(m["params"]?.update?.content?.text ?? "").includes("network: off"));
    expect(notice["params"].sessionId).toBe(sessionId);
    expect(notice["params"].update.content.text).toBe(
      `\n[acp-sandbox] network: off — no preset recognises \`${process.execPath}\`, so the agent can reach no host. Pass --network allow --allow-host HOST (or --preset claude|codex|gemini) to let it reach the hosts it needs, or --network open for everything.\n`,
    );
    await bridge.close();
  });

  it("a denied host is told in the turn, once per host, and the session ends with the summary", { timeout: 60_000 }, async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--workspace", workspace.dir, "--sandbox", "bwrap", "--allow-host", "allowed.example", "--allow", "terminal"]);
    const init = await bridge.initialize();
    expect(init["result"]._meta["acp-sandbox"].sandbox).toMatchObject({ network: "allow", networkEnforcement: true });
    const sessionId = await bridge.newSession(workspace.dir);
    const fetchTwice = "const f=()=>fetch('https://denied.example/').catch(e=>e.cause&&e.cause.message);f().then(f).then(m=>console.log(m))";
    await bridge.prompt(sessionId, [{ op: "terminal", command: "node", args: ["-e", fetchTwice] }], 30_000);
    const told = bridge.messages.filter((m) => m["method"] === "session/update" && String(m["params"]?.update?.content?.text ?? "").startsWith("\n[acp-sandbox] network:"));
    expect(told.map((m) => m["params"].update.content.text)).toEqual([
      "\n[acp-sandbox] network: CONNECT denied.example:443 denied (not in the allowlist: allowed.example); allow it with --allow-host denied.example\n",
    ]);
    expect(bridge.results()[0]?.result.ok.output.output).toContain("acp-sandbox proxy refused denied.example:443: not in the allowlist: allowed.example");
    await bridge.close();
    expect(bridge.stderr).toContain("acp-sandbox: network: CONNECT denied.example:443 denied (not in the allowlist: allowed.example); allow it with --allow-host denied.example\n");
    expect(bridge.stderr).toContain("acp-sandbox: network: denied.example:443 0 allowed, 2 denied\n");
  });
});

describe("the README's preset hosts", () => {
  it("list exactly the hosts each preset allows", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const preset of PRESETS) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${preset.name}\` |`));
      expect(row, `the README's preset table has no row for ${preset.name}`).toBeDefined();
      const hosts = row!.split("|").at(-2)!.split(",").map((h) => h.trim());
      expect(hosts).toEqual([...preset.hosts]);
    }
  });
});
