// Real clients in front of the ToolHost: the headless `run` (--approve) and acpx, an independent ACP editor.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BRIDGE, ROOT, SCRIPTED_AGENT } from "../support/bridge.js";
import { type Harness, harness } from "./support.js";

let h: Harness;
beforeEach(() => {
  h = harness();
});
afterEach(() => h.cleanup());

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args], { cwd, env: h.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const run = (steps: unknown[], approve: string) =>
  node([BRIDGE, "run", "--sandbox", "local", "--workspace", h.ws, "--approve", approve, "--prompt", JSON.stringify(steps), "--", process.execPath, SCRIPTED_AGENT], h.ws);

describe("acp-sandbox run", () => {
  const steps = (ws: string) => [
    { op: "read", path: `${ws}/README.md`, limit: 1 },
    { op: "write", path: `${ws}/out.txt`, content: "written\n" },
    { op: "terminal", command: "echo", args: ["ran"] },
  ];

  it("--approve none: reads pass, the write and the command are refused, shown in the output, exit 7", async () => {
    const ran = await run(steps(h.ws), "none");
    expect(ran.code, ran.stderr).toBe(7);
    expect(ran.stdout).toContain('RESULT {"op":"read","result":{"ok":{"content":"# Sample project\\n"}}}');
    expect(ran.stdout).toContain(`permission: Create ${h.ws}/out.txt: refused (--approve none)`);
    expect(ran.stdout).toContain("permission: Run echo ran: refused (--approve none)");
    expect(ran.stdout).toContain(`"message":"acp-sandbox: write ${h.ws}/out.txt refused by the editor's answer: reject once"`);
    expect(existsSync(`${h.ws}/out.txt`)).toBe(false);
  });

  it("--approve reads lets an asked read through (and only reads)", async () => {
    const ran = await node(
      [BRIDGE, "run", "--sandbox", "local", "--workspace", h.ws, "--ask", "read:README.md", "--prompt", JSON.stringify([{ op: "read", path: `${h.ws}/README.md`, limit: 1 }]), "--", process.execPath, SCRIPTED_AGENT],
      h.ws,
    );
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`permission: Read ${h.ws}/README.md: allowed (--approve reads)`);
    expect(ran.stdout).toContain('"content":"# Sample project\\n"');
  });

  it("--approve all: everything runs through the ToolHost, exit 0", async () => {
    const ran = await run(steps(h.ws), "all");
    expect(ran.code, ran.stderr).toBe(0);
    expect(readFileSync(`${h.ws}/out.txt`, "utf8")).toBe("written\n");
    expect(ran.stdout).toContain('"output":{"output":"ran\\r\\n"');
  });
});

describe("acpx as the editor", () => {
  const acpx = path.join(ROOT, "node_modules", "acpx", "dist", "cli.js");
  const agent = [process.execPath, BRIDGE, "--sandbox", "local", "--", process.execPath, SCRIPTED_AGENT].join(" ");
  const exec = (approval: string, steps: unknown[]) => node([acpx, "--agent", agent, "--cwd", h.ws, approval, "--format", "json", "exec", JSON.stringify(steps)], h.ws);
  const results = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((l) => l.method === "session/update")
      .map((l) => String(l.params.update.content?.text ?? ""))
      .filter((t) => t.startsWith("RESULT "))
      .map((t) => JSON.parse(t.slice("RESULT ".length)));

  it("--approve-all: the write goes through acpx's fs after the prompt; the command runs in the bridge's sandbox", async () => {
    const out = await exec("--approve-all", [
      { op: "write", path: "${cwd}/from-acpx.txt", content: "via acpx\n" },
      { op: "terminal", command: "sh", args: ["-c", "echo in-sandbox; test -t 1 && echo tty"] },
      { op: "read", path: "${cwd}/../outside/secret.txt" },
    ]);
    expect(out.code, out.stderr).toBe(0);
    const [write, terminal, escape] = results(out.stdout);
    expect(write.result).toEqual({ ok: {} });
    expect(readFileSync(`${h.ws}/from-acpx.txt`, "utf8")).toBe("via acpx\n");
    // acpx advertised fs, so the bridge asked it (permission), then handed it the write: both show in its trace.
    const methods = out.stdout.trim().split("\n").map((l) => JSON.parse(l).method).filter(Boolean);
    expect(methods).toContain("session/request_permission");
    expect(methods).toContain("fs/write_text_file");
    expect(methods.filter((m: string) => m.startsWith("terminal/"))).toEqual([]);
    expect(terminal.result.ok.output.output).toBe("in-sandbox\r\ntty\r\n");
    expect(escape.result.error.code).toBe(-32602);
    expect(escape.result.error.message).toMatch(/leaves the allowed directories with '\.\.'/);
  });

  it("--deny-all: the write and the command are refused by acpx's answer, nothing happens", async () => {
    const out = await exec("--deny-all", [
      { op: "write", path: "${cwd}/denied.txt", content: "x" },
      { op: "terminal", command: "touch", args: ["${cwd}/touched"] },
    ]);
    const [write, terminal] = results(out.stdout);
    expect(write.result.error.message).toMatch(/refused by the editor's answer: reject/);
    expect(terminal.result.error.message).toMatch(/refused by the editor's answer: reject/);
    expect(existsSync(`${h.ws}/denied.txt`) || existsSync(`${h.ws}/touched`)).toBe(false);
  });
});
