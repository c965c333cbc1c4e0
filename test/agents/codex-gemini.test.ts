// The real codex-acp and gemini --acp through the bridge on every backend: they start, and their auth errors reach the editor unchanged.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { BRIDGE } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { backends } from "../sandbox/support.js";
import { acpExchange, bridgeCommand, bridgeEnv, CODEX, GEMINI, scratch, type Scratch } from "./support.js";

let s: Scratch;
const direct: Record<string, any[]> = {};
const newSession = () => ({ method: "session/new", params: { cwd: s.workspace, mcpServers: [] } });

beforeAll(async () => {
  s = scratch();
  // The same agents run directly, without the bridge: what the editor would have seen.
  direct["codex"] = await acpExchange(CODEX, [newSession()], { cwd: s.workspace, env: bridgeEnv(s, { HOME: path.join(s.root, "direct-home") }) });
  direct["gemini"] = await acpExchange(GEMINI, [newSession()], { cwd: s.workspace, env: bridgeEnv(s, { HOME: path.join(s.root, "direct-home") }) });
}, 120_000);
afterAll(() => s?.cleanup());

for (const backend of await backends()) {
  describeBackend(`codex-acp and gemini through ${backend.name}`, backend.unavailable, () => {
    beforeAll(async () => {
      if (backend.docker) await ensureLocalNodeImage();
    }, 120_000);

    it("gemini: initialize answers, and session/new's auth error is the agent's own, unchanged", async () => {
      const env = bridgeEnv(s, { XDG_STATE_HOME: path.join(s.root, `state-gemini-${backend.name}`) });
      const [init, session] = await acpExchange(bridgeCommand(backend.flags, s.workspace, GEMINI), [newSession()], { cwd: s.workspace, env });
      expect(init.result?.protocolVersion, JSON.stringify(init)).toBe(1);
      expect(init.result.authMethods).toEqual(direct["gemini"]![0].result.authMethods);
      expect(init.result._meta["acp-sandbox"].sandbox.backend).toBe(backend.provider);
      expect(session.error, JSON.stringify(session)).toEqual(direct["gemini"]![1].error);
    }, 120_000);

    it("codex: its auth error reaches the editor unchanged; signed in, session/new works, codex's own sandbox is off inside ours, and the login stays", async () => {
      const state = path.join(s.root, `state-codex-${backend.name}`);
      const home = path.join(s.root, `home-codex-${backend.name}`);
      const env = bridgeEnv(s, { XDG_STATE_HOME: state, HOME: home, CODEX_API_KEY: "sk-stand-in-not-a-key-0000" });
      const authenticate = { method: "authenticate", params: { methodId: "codex-api-key" } };
      const [init, refused, auth, session] = await acpExchange(bridgeCommand(backend.flags, s.workspace, CODEX), [newSession(), authenticate, newSession()], { cwd: s.workspace, env });
      expect(init.result.authMethods).toEqual(direct["codex"]![0].result.authMethods);
      expect(init.result._meta["acp-sandbox"].sandbox.backend).toBe(backend.provider);
      expect(refused.error, JSON.stringify(refused)).toEqual(direct["codex"]![1].error);
      expect(auth.error, JSON.stringify(auth)).toBeUndefined();
      expect(session.result?.sessionId, JSON.stringify(session)).toBeTruthy();
      const config = path.join(state, "acp-sandbox", "agents", "codex", "config.toml");
      if (backend.isolated) {
        // codex read its CODEX_HOME (the state dir) and took its sandbox_mode: no read-only preset, whose sandbox cannot nest in ours.
        expect(readFileSync(config, "utf8")).toMatch(/^sandbox_mode = "danger-full-access"$/m);
        expect(session.result.modes?.currentModeId).not.toBe("read-only");
      } else {
        expect(existsSync(config)).toBe(false);
        expect(session.result.modes?.currentModeId).toBe("read-only");
      }
      // A new bridge, no key, no authenticate: the login kept in the agent's state is enough.
      const { CODEX_API_KEY: _key, ...withoutKey } = env;
      const [, again] = await acpExchange(bridgeCommand(backend.flags, s.workspace, CODEX), [newSession()], { cwd: s.workspace, env: withoutKey });
      expect(again.result?.sessionId, JSON.stringify(again)).toBeTruthy();
    }, 180_000);
  });
}

describe("acp-sandbox run with a real agent that is not signed in", () => {
  it("exits 8 and prints the agent's own error", async () => {
    const ran = spawnSync(process.execPath, [BRIDGE, "run", "--sandbox", "local", "--prompt", "hello", "--", ...GEMINI], { cwd: s.workspace, env: bridgeEnv(s), encoding: "utf8", timeout: 90_000 });
    expect(ran.status, ran.stderr).toBe(8);
    expect(ran.stdout + ran.stderr).toContain(direct["gemini"]![1].error.message);
  }, 120_000);
});
