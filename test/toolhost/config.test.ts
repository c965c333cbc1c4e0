// The configuration file loader and the ToolHost's resolved configuration: kinds, messages, narrowing, flags.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfigFile, loadConfigFiles, requireConfig, userConfigPath } from "../../src/config/file.js";
import { ConfigError, UsageError } from "../../src/errors.js";
import { rememberFilePath, resolveToolHostConfig } from "../../toolhost/config.js";

let tmp: string;
let ws: string;
let env: NodeJS.ProcessEnv;
let configFile: string;
beforeEach(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), "toolhost-config-")));
  ws = path.join(tmp, "ws");
  mkdirSync(ws);
  env = { HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, "cfg") };
  configFile = path.join(tmp, "cfg", "acp-sandbox", "config.json");
  mkdirSync(path.dirname(configFile), { recursive: true });
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** What a session does: read the files once, then resolve the ToolHost's part. */
async function resolve(values: Record<string, string | boolean | string[]>) {
  return resolveToolHostConfig(values, env, ws, await loadConfigFiles(values, env, tmp, ws));
}

describe("loading a file", () => {
  it("tells ok, missing, empty, unreadable and invalid apart", async () => {
    expect(await loadConfigFile(path.join(tmp, "none.json"))).toEqual({ kind: "missing", file: path.join(tmp, "none.json") });
    writeFileSync(configFile, "  \n");
    expect((await loadConfigFile(configFile)).kind).toBe("empty");
    expect(await loadConfigFile(tmp)).toEqual({ kind: "unreadable", file: tmp, reason: "EISDIR" });
    writeFileSync(configFile, "[1]");
    expect(await loadConfigFile(configFile)).toEqual({ kind: "invalid", file: configFile, problems: ["(top level): expected a JSON object"] });
    writeFileSync(configFile, JSON.stringify({ policy: { allow: ["write:src/**"] } }));
    expect(await loadConfigFile(configFile)).toEqual({ kind: "ok", file: configFile, config: { policy: { allow: [{ op: "write", path: "src/**" }] } } });
  });

  it("requireConfig refuses invalid and unreadable files, and a missing file named explicitly", () => {
    expect(requireConfig({ kind: "missing", file: "/x" }, false)).toBeUndefined();
    expect(() => requireConfig({ kind: "missing", file: "/x" }, true)).toThrow(new ConfigError("the configuration file /x does not exist"));
    expect(() => requireConfig({ kind: "unreadable", file: "/x", reason: "EACCES" }, false)).toThrow("cannot read the configuration file /x (EACCES)");
    expect(() => requireConfig({ kind: "invalid", file: "/x", problems: ["a: b", "c: d"] }, false)).toThrow("invalid configuration in /x: a: b; c: d");
  });

  it("lives in the XDG config directory, else ~/.config", () => {
    expect(userConfigPath({ XDG_CONFIG_HOME: "/xdg", HOME: "/h" })).toBe("/xdg/acp-sandbox/config.json");
    expect(userConfigPath({ HOME: "/h" })).toBe("/h/.config/acp-sandbox/config.json");
    expect(userConfigPath({ XDG_CONFIG_HOME: "relative", HOME: "/h" })).toBe("/h/.config/acp-sandbox/config.json");
  });
});

describe("the ToolHost's configuration", () => {
  it("defaults with no file at all", async () => {
    const config = await resolve({});
    expect(config).toMatchObject({ workspace: ws, rules: [], directories: [], maxTerminals: 32, rememberFile: undefined, notices: [] });
  });

  it("flags first, then the user's file, then the workspace's; each rule labelled with where it came from", async () => {
    writeFileSync(configFile, JSON.stringify({ policy: { allow: ["terminal:npm test"], deny: [{ op: "read", path: "*.pem" }] } }));
    writeFileSync(path.join(ws, ".acp-sandbox.json"), JSON.stringify({ policy: { ask: ["write"] } }));
    const config = await resolve({ deny: ["write:dist/**"], allow: ["read"] });
    expect(config.rules.map((r) => [r.action, r.op, r.origin.kind, r.origin.label, r.origin.file ?? null])).toEqual([
      ["allow", "read", "flag", "--allow read", null],
      ["deny", "write", "flag", "--deny write:dist/**", null],
      ["allow", "terminal", "config", "allow[0]", configFile],
      ["deny", "read", "config", "deny[0]", configFile],
      ["ask", "write", "workspace", "ask[0]", path.join(ws, ".acp-sandbox.json")],
    ]);
  });

  it("a malformed rule flag is a usage error naming the flag", async () => {
    await expect(resolve({ deny: ["rm -rf"] })).rejects.toThrow(
      new UsageError('Expected --deny to be a rule like write:src/** or terminal:npm test; a rule is op or op:pattern, where op is one of read, write, terminal, permission; got "rm -rf"'),
    );
  });

  it("directories: ~ expanded, resolved, and a missing one refused naming the key", async () => {
    mkdirSync(path.join(tmp, "notes"));
    writeFileSync(configFile, JSON.stringify({ policy: { directories: [{ path: "~/notes", access: "read" }] } }));
    expect((await resolve({})).directories).toEqual([{ path: path.join(tmp, "notes"), writable: false }]);
    writeFileSync(configFile, JSON.stringify({ policy: { directories: [{ path: "~/notes" }, { path: "/no/such/dir", access: "write" }] } }));
    await expect(resolve({})).rejects.toThrow('policy.directories[0].access: expected "read" or "write", got undefined');
    writeFileSync(configFile, JSON.stringify({ policy: { directories: [{ path: "/no/such/dir", access: "write" }] } }));
    await expect(resolve({})).rejects.toThrow("invalid configuration in ~/cfg/acp-sandbox/config.json: policy.directories[0].path: /no/such/dir is not an existing directory");
  });

  it("the workspace's file only narrows: lower limits kept, higher ones and grants ignored", async () => {
    writeFileSync(configFile, JSON.stringify({ policy: { maxTerminals: 8, maxReadBytes: 1000 } }));
    writeFileSync(path.join(ws, ".acp-sandbox.json"), JSON.stringify({ policy: { maxTerminals: 4, maxReadBytes: 99999, allow: ["write"], directories: [{ path: "/", access: "write" }] } }));
    const config = await resolve({});
    expect(config.maxTerminals).toBe(4);
    expect(config.maxReadBytes).toBe(1000);
    expect(config.directories).toEqual([]);
    expect(config.rules).toEqual([]);
    expect(config.notices).toHaveLength(2);
  });

  it("an invalid workspace file is refused too (never silently ignored)", async () => {
    writeFileSync(path.join(ws, ".acp-sandbox.json"), JSON.stringify({ policy: { deny: [{ op: "nope" }] } }));
    await expect(resolve({})).rejects.toThrow(`invalid configuration in ${path.join(ws, ".acp-sandbox.json")}: policy.deny[0].op: expected one of`);
  });

  it("--remember keeps decisions per workspace under the XDG state directory", async () => {
    expect((await resolve({ remember: true })).rememberFile).toBe(rememberFilePath(env, ws, tmp));
    expect(rememberFilePath({ XDG_STATE_HOME: "/state" }, "/a", "/h")).toMatch(/^\/state\/acp-sandbox\/remembered\/[0-9a-f]{24}\.json$/);
    expect(rememberFilePath({}, "/a", "/h")).not.toBe(rememberFilePath({}, "/b", "/h"));
    expect(rememberFilePath({}, "/a", "/h")).toMatch(/^\/h\/\.local\/state\/acp-sandbox\//);
  });
});
