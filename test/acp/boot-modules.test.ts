// What the bridge loads. Its start is on every session's path, and loading the Docker client (dockerode with
// ssh2 and gRPC), the schema library (zod) and the sync engine (tar, chokidar) once took most of it. A bridge
// that needs none of them must not load them; each is loaded the moment it is needed. Counted, not timed.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BRIDGE, BridgeProcess, scratchWorkspace, SCRIPTED_AGENT } from "../support/bridge.js";

/** Preloaded into the bridge: records every file module (ESM imports and CommonJS requires) per process. */
const HOOKS = `
import { appendFileSync } from "node:fs";
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith("file:")) appendFileSync(log, result.url + "\\n");
  return result;
}
`;
const PRELOAD = `
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
const log = process.env.ACP_SANDBOX_TEST_LOAD_LOG + "." + process.pid;
register("./hooks.mjs", import.meta.url, { data: { log } });
process.on("exit", () => appendFileSync(log, Object.keys(createRequire(import.meta.url).cache).join("\\n") + "\\n"));
`;

const HEAVY = /node_modules\/(dockerode|docker-modem|ssh2|@grpc|protobufjs|zod|chokidar|tar-stream)\//;

let dir: string;
let workspace: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-modules-"));
  writeFileSync(path.join(dir, "hooks.mjs"), HOOKS);
  writeFileSync(path.join(dir, "preload.mjs"), PRELOAD);
  workspace = scratchWorkspace();
  mkdirSync(path.join(dir, "config"));
  env = { ...process.env, NODE_OPTIONS: `--import ${path.join(dir, "preload.mjs")}`, ACP_SANDBOX_TEST_LOAD_LOG: path.join(dir, "loaded"), XDG_CONFIG_HOME: path.join(dir, "config") };
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  workspace.cleanup();
});

function loadedBy(pid: number): string[] {
  return readFileSync(`${path.join(dir, "loaded")}.${pid}`, "utf8").split("\n").filter(Boolean);
}

/** A whole session: a file read and a terminal; then the editor goes away. */
async function session(flags: readonly string[]): Promise<string[]> {
  const bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--workspace", workspace.dir, ...flags], { env });
  await bridge.initialize();
  const sessionId = await bridge.newSession(workspace.dir);
  await bridge.prompt(sessionId, [
    { op: "read", path: `${workspace.dir}/README.md` },
    { op: "terminal", command: "echo hi" },
  ]);
  expect(bridge.results().map((r) => Object.keys(r.result))).toEqual([["ok"], ["ok"]]);
  expect((await bridge.close()).code).toBe(0);
  return loadedBy(bridge.child.pid!);
}

describe("the modules a bridge loads", () => {
  it("a local session without a configuration file loads no Docker client, no zod, no sync engine", async () => {
    const loaded = await session(["--sandbox", "local", "--allow", "terminal"]);
    expect(loaded.some((url) => url.endsWith("/dist/bundle/acp-sandbox.js"))).toBe(true);
    expect(loaded.filter((url) => HEAVY.test(url))).toEqual([]);
  });

  it("a configuration file brings zod in, to check it", async () => {
    mkdirSync(path.join(dir, "config", "acp-sandbox"));
    writeFileSync(path.join(dir, "config", "acp-sandbox", "config.json"), JSON.stringify({ policy: { allow: ["terminal"] } }));
    const loaded = await session(["--sandbox", "local"]);
    expect(loaded.some((url) => /node_modules\/zod\//.test(url))).toBe(true);
    expect(loaded.filter((url) => /node_modules\/(dockerode|ssh2|chokidar|tar-stream)\//.test(url))).toEqual([]);
  });

  it("doctor, which asks the Docker daemon, loads the Docker client (the detector sees CommonJS requires)", async () => {
    const child = spawn(process.execPath, [BRIDGE, "doctor"], { env, stdio: "ignore" });
    await new Promise((resolve) => child.once("exit", resolve));
    expect(loadedBy(child.pid!).some((file) => /node_modules\/dockerode\//.test(file))).toBe(true);
  });
});
