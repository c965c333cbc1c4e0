// A terminal on the real local sandbox: the pipes fallback where no PTY can be had, and the manager's bookkeeping.
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PtyUnavailableError } from "../../src/errors.js";
import { createLocalProvider } from "../../src/sandbox/local/provider.js";
import type { Sandbox } from "../../src/sandbox/types.js";
import { TerminalManager } from "../../toolhost/terminals/manager.js";
import { Terminal } from "../../toolhost/terminals/terminal.js";
import { eventually, isAlive } from "../support/processes.js";

let dir: string;
let sandbox: Sandbox;
beforeEach(async () => {
  dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), "toolhost-term-")));
  sandbox = await createLocalProvider().prepare({ workspace: dir, runtimeRoot: dir, extraDirectories: [], env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" }, network: "open", limits: {}, label: "t" });
});
afterEach(async () => {
  await sandbox.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** The same sandbox on a host where no pseudo-terminal can be opened. */
function withoutPty(s: Sandbox): Sandbox {
  return { ...s, execTty: async () => Promise.reject(new PtyUnavailableError("no /dev/ptmx here")) };
}

describe("pipes where no PTY can be had", () => {
  it("falls back to pipes, says why, and merges stdout and stderr", async () => {
    const reasons: string[] = [];
    const terminal = await Terminal.start(withoutPty(sandbox), { command: "sh", args: ["-c", "test -t 1 || echo not-a-tty; echo to-stderr >&2; exit 4"] }, 1000, (r) => reasons.push(r));
    expect(terminal.tty).toBe(false);
    expect(reasons).toEqual(["no /dev/ptmx here"]);
    expect(await terminal.exited).toEqual({ exitCode: 4, signal: null });
    expect(terminal.output()).toEqual({ output: "not-a-tty\nto-stderr\n", truncated: false, exitStatus: { exitCode: 4, signal: null } });
  });
});

describe("the terminal manager", () => {
  it("caps open terminals, releases (killing) one, and refuses ids of other sessions", async () => {
    const manager = new TerminalManager({ maxTerminals: 1, graceMs: 500 });
    const { terminalId, terminal } = await manager.create("s1", sandbox, { command: "sleep", args: ["30"] }, 100, () => {});
    await expect(manager.create("s1", sandbox, { command: "true", args: [] }, 100, () => {})).rejects.toThrow(/too many terminals \(1 open, the limit is 1\)/);
    expect(() => manager.get("s2", terminalId)).toThrow(`acp-sandbox: unknown terminal "${terminalId}" in session s2 (never created, or released)`);
    const pid = terminal.pid!;
    expect(isAlive(pid)).toBe(true);
    await manager.release("s1", terminalId);
    expect(await eventually(() => !isAlive(pid))).toBe(true);
    expect(manager.open).toBe(0);
    expect(() => manager.get("s1", terminalId)).toThrow(/unknown terminal/);
  });

  it("a session's end kills its terminals and only its own", async () => {
    const manager = new TerminalManager({ maxTerminals: 4, graceMs: 500 });
    const mine = await manager.create("a", sandbox, { command: "sleep", args: ["30"] }, 100, () => {});
    const theirs = await manager.create("b", sandbox, { command: "sleep", args: ["30"] }, 100, () => {});
    await manager.releaseSession("a");
    expect(await eventually(() => !isAlive(mine.terminal.pid!))).toBe(true);
    expect(isAlive(theirs.terminal.pid!)).toBe(true);
    await manager.releaseAll();
    expect(await eventually(() => !isAlive(theirs.terminal.pid!))).toBe(true);
  });
});
