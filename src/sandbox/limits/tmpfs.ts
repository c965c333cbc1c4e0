// A size-limited tmpfs behind a bwrap sandbox's shared /tmp: mounted on the host (root only), unmounted at the end.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Whether this process may mount a tmpfs on the host (root; user namespaces cannot share one across bwraps). */
export function canMountTmpfs(): boolean {
  return process.getuid?.() === 0;
}

/** Mounts a tmpfs of `bytes` at `dir` (owned by the caller, mode 0700); throws with mount's message. */
export function mountTmpfs(dir: string, bytes: number): void {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0700,uid=${uid},gid=${gid},nosuid,nodev`, "acp-sandbox-tmp", dir], { stdio: ["ignore", "ignore", "pipe"], timeout: 5_000 });
}

export function isMountPoint(dir: string): boolean {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .some((line) => line.split(" ")[4]?.replace(/\\040/g, " ") === dir);
  } catch {
    return false;
  }
}

/** Unmounts `dir` when it is a mount point (lazily, should a process still hold it). Never throws. */
export function unmountTmpfs(dir: string): void {
  if (!isMountPoint(dir)) return;
  try {
    execFileSync("umount", ["-l", dir], { stdio: "ignore", timeout: 5_000 });
  } catch {
    // left for the next bridge's clean-up
  }
}
