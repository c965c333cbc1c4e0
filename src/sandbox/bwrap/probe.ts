// Whether bwrap works here, and when it does not, why and what to do about it.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { which } from "../../process/which.js";
import type { ProbeResult } from "../types.js";

const PROBE_TIMEOUT_MS = 5_000;

/** The sysctls that decide whether unprivileged user namespaces work; undefined when the file is absent. */
export interface UsernsSysctls {
  readonly apparmorRestrict?: string | undefined;
  readonly maxUserNamespaces?: string | undefined;
  readonly unprivilegedClone?: string | undefined;
}

function sysctl(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

export function readUsernsSysctls(): UsernsSysctls {
  return {
    apparmorRestrict: sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"),
    maxUserNamespaces: sysctl("/proc/sys/user/max_user_namespaces"),
    unprivilegedClone: sysctl("/proc/sys/kernel/unprivileged_userns_clone"),
  };
}

/** Turns bwrap's failure (its stderr) and the host's sysctls into a reason and a fix. */
export function diagnoseBwrapFailure(stderr: string, sysctls: UsernsSysctls): { detail: string; fix: string } {
  const said = stderr.trim().split("\n").pop() ?? "";
  if (sysctls.apparmorRestrict === "1") {
    return {
      detail: `user namespaces are restricted by AppArmor (kernel.apparmor_restrict_unprivileged_userns=1): ${said}`,
      fix: "give bwrap an AppArmor profile that allows userns (Ubuntu 24.04+: /etc/apparmor.d/bwrap), or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0; or pass --sandbox docker",
    };
  }
  if (sysctls.maxUserNamespaces === "0") {
    return { detail: `user namespaces are disabled (user.max_user_namespaces=0): ${said}`, fix: "sysctl -w user.max_user_namespaces=15000, or pass --sandbox docker" };
  }
  if (sysctls.unprivilegedClone === "0") {
    return { detail: `unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0): ${said}`, fix: "sysctl -w kernel.unprivileged_userns_clone=1, or pass --sandbox docker" };
  }
  return { detail: `bwrap cannot create a sandbox here: ${said || "no reason given"}`, fix: "run acp-sandbox where user namespaces work (not inside an unprivileged container), or pass --sandbox docker" };
}

/** The argv of the probe: the same namespaces a session uses, running `true`. */
export function probeArgv(truePath: string): string[] {
  return ["--die-with-parent", "--unshare-all", "--unshare-user", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", truePath];
}

let cached: Promise<ProbeResult> | undefined;

async function run(): Promise<ProbeResult> {
  const found = which("bwrap", process.env["PATH"], process.cwd());
  if (found.kind !== "found") return { backend: "bwrap", available: false, detail: "bwrap not found", fix: "install bubblewrap (apt install bubblewrap), or pass --sandbox docker" };
  const truePath = ["/usr/bin/true", "/bin/true"].find((p) => which(p, undefined, "/").kind === "found") ?? "/bin/sh";
  // Both at once: the probe is on every session's start.
  const [trial, version] = await Promise.all([
    new Promise<{ ok: boolean; stderr: string }>((resolve) => {
      execFile(found.path, probeArgv(truePath), { timeout: PROBE_TIMEOUT_MS, env: {} }, (error, _stdout, stderr) => resolve({ ok: !error, stderr: String(stderr) }));
    }),
    new Promise<string>((resolve) => {
      execFile(found.path, ["--version"], { timeout: PROBE_TIMEOUT_MS }, (_error, stdout) => resolve(String(stdout).trim()));
    }),
  ]);
  if (!trial.ok) return { backend: "bwrap", available: false, ...diagnoseBwrapFailure(trial.stderr, readUsernsSysctls()) };
  return { backend: "bwrap", available: true, detail: `${version || "bwrap"} at ${found.path}: namespaces work` };
}

/** Probes once per process (a real bwrap run); later calls share the answer. */
export function probeBwrap(): Promise<ProbeResult> {
  cached ??= run();
  return cached;
}

/** The bwrap binary (after a successful probe). */
export function bwrapPath(): string {
  const found = which("bwrap", process.env["PATH"], process.cwd());
  return found.kind === "found" ? found.path : "bwrap";
}
