// bwrap's argv as data: namespaces, what is shown and hidden, where HOME and the workspace go, no env in argv.
import { describe, expect, it } from "vitest";
import { type BwrapPlan, bwrapArgv } from "../../src/sandbox/bwrap/argv.js";
import { masks, systemEntries } from "../../src/sandbox/bwrap/system.js";
import type { SandboxSpec } from "../../src/sandbox/types.js";

const spec: SandboxSpec = {
  workspace: "/home/ann/projects/app",
  runtimeRoot: "/home/ann/projects/app",
  extraDirectories: [
    { hostPath: "/home/ann/projects", runtimePath: "/home/ann/projects", writable: false },
    { hostPath: "/data/cache", runtimePath: "/data/cache", writable: true },
  ],
  env: { HOME: "/home/ann", PATH: "/usr/bin:/bin", MY_API_TOKEN: "s3cr3t-token-value" },
  network: "none",
  limits: {},
  label: "app",
};

const plan = (over: Partial<BwrapPlan> = {}): BwrapPlan => ({
  spec,
  home: "/home/ann",
  scratchHome: "/tmp/acp-sandbox-bwrap-1-x/home",
  scratchTmp: "/tmp/acp-sandbox-bwrap-1-x/tmp",
  system: [
    { kind: "dir", path: "/usr" },
    { kind: "symlink", path: "/bin", target: "usr/bin" },
    { kind: "dir", path: "/etc" },
  ],
  masks: [
    { kind: "file", path: "/etc/shadow" },
    { kind: "dir", path: "/etc/ssh" },
  ],
  networkFiles: ["/run/systemd/resolve/stub-resolv.conf"],
  ...over,
});

const agent = { command: "/usr/bin/node", args: ["agent.js", "--acp"] };

/** The `--flag a b` triples of an argv, as "flag a b" strings. */
function triples(argv: string[], flag: string): string[] {
  const out: string[] = [];
  argv.forEach((word, i) => {
    if (word === flag) out.push(`${argv[i + 1]} ${argv[i + 2]}`);
  });
  return out;
}

describe("bwrapArgv", () => {
  it("unshares every namespace, drops capabilities, dies with its parent, runs in a new session", () => {
    const argv = bwrapArgv(plan(), agent);
    expect(argv.slice(0, 5)).toEqual(["--new-session", "--die-with-parent", "--unshare-all", "--unshare-user", "--cap-drop"]);
    expect(argv).not.toContain("--share-net");
    expect(argv.slice(-4)).toEqual(["--", "/usr/bin/node", "agent.js", "--acp"]);
  });

  it("shares the network only when it is open, and then shows the resolver that lives outside /etc", () => {
    const none = bwrapArgv(plan(), agent);
    const open = bwrapArgv(plan({ spec: { ...spec, network: "open" } }), agent);
    expect(none).not.toContain("--share-net");
    expect(none).not.toContain("/run/systemd/resolve/stub-resolv.conf");
    expect(open).toContain("--share-net");
    expect(triples(open, "--ro-bind")).toContain("/run/systemd/resolve/stub-resolv.conf /run/systemd/resolve/stub-resolv.conf");
  });

  it("shows the system directories read-only and hides secrets in /etc; never /root, /run or the docker socket", () => {
    const argv = bwrapArgv(plan(), agent);
    expect(triples(argv, "--ro-bind")).toEqual(expect.arrayContaining(["/usr /usr", "/etc /etc", "/dev/null /etc/shadow"]));
    expect(triples(argv, "--symlink")).toContain("usr/bin /bin");
    expect(argv.join(" ")).toContain("--tmpfs /etc/ssh --remount-ro /etc/ssh");
    for (const hidden of ["/root", "/run", "/var/run/docker.sock", "/run/docker.sock", "/home", "/"]) {
      expect(triples(argv, "--ro-bind").map((t) => t.split(" ")[0])).not.toContain(hidden);
      expect(triples(argv, "--bind").map((t) => t.split(" ")[0])).not.toContain(hidden);
    }
  });

  it("gives HOME and /tmp the sandbox's own directories and the workspace read-write on top of a read-only parent", () => {
    const argv = bwrapArgv(plan(), agent);
    const binds = argv.flatMap((word, i) => (word === "--bind" || word === "--ro-bind" ? [`${word} ${argv[i + 1]} ${argv[i + 2]}`] : [])).filter((b) => !b.includes("/dev/null") && !/ \/(usr|etc) /.test(b));
    expect(binds).toEqual([
      "--bind /tmp/acp-sandbox-bwrap-1-x/tmp /tmp",
      "--bind /tmp/acp-sandbox-bwrap-1-x/home /home/ann",
      "--bind /data/cache /data/cache",
      "--ro-bind /home/ann/projects /home/ann/projects",
      "--bind /home/ann/projects/app /home/ann/projects/app",
    ]);
    expect(argv).toEqual(expect.arrayContaining(["--proc", "/proc", "--dev", "/dev"]));
    expect(argv.join(" ")).toContain("--chdir /home/ann/projects/app --");
  });

  it("never puts the environment in argv (values reach bwrap through its own environment)", () => {
    const argv = bwrapArgv(plan(), { ...agent, env: { OTHER_SECRET: "another-secret-value" } });
    expect(argv.join("\0")).not.toContain("s3cr3t-token-value");
    expect(argv.join("\0")).not.toContain("another-secret-value");
    expect(argv).not.toContain("--setenv");
  });

  it("keeps the controlling terminal for a PTY process (no --new-session) and honours the process's cwd", () => {
    const argv = bwrapArgv(plan(), { command: "sh", args: [], cwd: "/home/ann/projects/app/src" }, { tty: true });
    expect(argv).not.toContain("--new-session");
    expect(argv.join(" ")).toContain("--chdir /home/ann/projects/app/src -- sh");
  });
});

describe("this host's system view", () => {
  it("lists the system directories as they are here and masks what exists of the sensitive files", () => {
    const entries = systemEntries();
    expect(entries.find((e) => e.path === "/usr")).toEqual({ kind: "dir", path: "/usr" });
    expect(entries.map((e) => e.path)).not.toContain("/home");
    expect(entries.map((e) => e.path)).not.toContain("/root");
    const hidden = masks();
    expect(hidden.map((m) => m.path)).toContain("/etc/shadow");
    expect(hidden.find((m) => m.path === "/etc/shadow")?.kind).toBe("file");
  });
});
