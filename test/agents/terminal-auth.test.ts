// Terminal auth: the editor re-launches the bridge with claude's advertised login args in a terminal (`script` is the PTY).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { describeBackend } from "../support/ci.js";
import { backends } from "../sandbox/support.js";
import { bridgeCommand, bridgeEnv, CLAUDE, scratch, type Scratch } from "./support.js";

const LOGIN_ARGS = ["--cli", "auth", "login", "--console"];
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.cleanup());

/**
 * Runs `command` in a terminal (util-linux `script`), types a code that is not one when the login asks
 * for it, then Ctrl-C once it has been refused: the run the user would see, minus the browser.
 */
async function loginInTerminal(command: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const quoted = command.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ");
  const child = spawn("script", ["-qec", quoted, "/dev/null"], { cwd: s.workspace, env, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let typed = false;
  let interrupted = false;
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (!typed && output.includes("Paste code here")) {
      typed = true;
      child.stdin.write("not-a-real-code\r");
    }
    if (typed && !interrupted && output.includes("Invalid code")) {
      interrupted = true;
      child.stdin.write("\x03");
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

const isolated = (await backends()).filter((b) => b.name === "bwrap" || b.name === "docker");
for (const backend of isolated) {
  describeBackend(`terminal auth through ${backend.name}`, backend.unavailable ?? (hasScript ? undefined : "util-linux `script` is not installed (apt install util-linux)"), () => {
    beforeAll(async () => {
      if (backend.docker) await ensureLocalNodeImage();
    }, 120_000);

    it("runs claude's login inside the sandbox on the terminal; the login's files land in the agent's state dir; the exit status is the agent's", async () => {
      const env = bridgeEnv(s, { TERM: "xterm" });
      const direct = await loginInTerminal([...CLAUDE, ...LOGIN_ARGS], { ...env, HOME: path.join(s.root, "direct-home") });
      expect(direct.output).toContain("Invalid code");
      // --network none keeps the login from leaving this machine; the flag says so explicitly.
      const through = await loginInTerminal(bridgeCommand([...backend.flags, "--network", "none"], s.workspace, [...CLAUDE, ...LOGIN_ARGS]), env);
      expect(through.output).toContain("Paste code here");
      expect(through.output).toContain("Invalid code");
      expect(through.output).not.toMatch(/"jsonrpc"/);
      expect(through.code).toBe(direct.code);
      const state = path.join(s.state, "acp-sandbox", "agents", "claude");
      expect(existsSync(path.join(state, ".claude.json"))).toBe(true);
      expect(readFileSync(path.join(state, ".claude.json"), "utf8")).toMatch(/^\{/);
      // Nothing was written to the host's HOME: the login went to the state directory only.
      expect(existsSync(path.join(s.home, ".claude.json"))).toBe(false);
      expect(existsSync(path.join(s.home, ".claude"))).toBe(false);
    }, 120_000);
  });
}
