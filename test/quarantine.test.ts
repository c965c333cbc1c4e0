// The quarantine on a real directory: what appeared or changed at a protected path moves out, nothing is deleted, each can be restored.
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeSweep, Quarantine, restoreCommand, workspaceId } from "../src/quarantine/quarantine.js";

let base: string;
let ws: string;
let state: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-quarantine-")));
  ws = path.join(base, "my project");
  state = path.join(base, "state");
  mkdirSync(path.join(ws, "src"), { recursive: true });
  execFileSync("git", ["init", "-q", ws]);
  writeFileSync(path.join(ws, ".vscode-not"), "");
  writeFileSync(path.join(ws, "src/a.ts"), "export {};\n");
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const write = (rel: string, text: string) => {
  mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  writeFileSync(path.join(ws, rel), text);
};

describe("quarantine", () => {
  it("moves a new .vscode/ whole and a new nested repository whole, keeping their relative paths", () => {
    const q = new Quarantine(ws, state);
    write(".vscode/tasks.json", "{}");
    write("nested/.git/HEAD", "ref: refs/heads/main\n");
    mkdirSync(path.join(ws, "nested/.git/objects"));
    write("nested/.git/config", "[core]\n\tfsmonitor = evil\n");
    write("src/b.ts", "export {};\n");
    const result = q.sweep();
    expect(result.failed).toEqual([]);
    expect(result.moved.map((m) => [m.rel, m.what]).sort()).toEqual([
      [".vscode", "new"],
      ["nested/.git", "new"],
    ]);
    for (const m of result.moved) expect(m.dest.startsWith(path.join(state, "quarantine", workspaceId(ws)))).toBe(true);
    expect(readFileSync(path.join(result.moved.find((m) => m.rel === ".vscode")!.dest, "tasks.json"), "utf8")).toBe("{}");
    expect(readFileSync(path.join(ws, "src/b.ts"), "utf8")).toBe("export {};\n");
    // Nothing left for the next sweep.
    expect(q.sweep().moved).toEqual([]);
  });

  it("puts a changed protected file back as it was at the start and keeps the changed one", () => {
    const original = readFileSync(path.join(ws, ".git/config"), "utf8");
    const q = new Quarantine(ws, state);
    appendFileSync(path.join(ws, ".git/config"), "[core]\n\tfsmonitor = evil\n");
    const [moved] = q.sweep().moved;
    expect(moved).toMatchObject({ rel: ".git/config", what: "changed", restoredOriginal: true });
    expect(readFileSync(path.join(ws, ".git/config"), "utf8")).toBe(original);
    expect(readFileSync(moved!.dest, "utf8")).toContain("fsmonitor = evil");
  });

  it("leaves paths mounted read-only alone (only the host could change them)", () => {
    const q = new Quarantine(ws, state);
    appendFileSync(path.join(ws, ".git/config"), "[user]\n\tname = me\n");
    expect(q.sweep([path.join(ws, ".git/config")]).moved).toEqual([]);
  });

  it("reports each path with the reason and a restore command that works", () => {
    const q = new Quarantine(ws, state);
    write(".envrc", "echo hi\n");
    const result = q.sweep();
    const [line] = describeSweep(ws, result);
    expect(line).toMatch(/^quarantined new \.envrc \(direnv runs it when a shell enters the directory\); restore it with: mkdir -p '.*my project' && mv -n /);
    execFileSync("sh", ["-c", restoreCommand(ws, result.moved[0]!)]);
    expect(readFileSync(path.join(ws, ".envrc"), "utf8")).toBe("echo hi\n");
  });

  it("keeps two sweeps of the same path apart (nothing overwritten)", () => {
    const q = new Quarantine(ws, state);
    write(".mcp.json", "1");
    const first = q.sweep().moved[0]!;
    write(".mcp.json", "2");
    const second = q.sweep().moved[0]!;
    expect(first.dest).not.toBe(second.dest);
    expect([readFileSync(first.dest, "utf8"), readFileSync(second.dest, "utf8")]).toEqual(["1", "2"]);
  });
});
