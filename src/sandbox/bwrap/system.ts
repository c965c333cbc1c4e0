// What of the host's system directories a bwrap sandbox shows, and which sensitive files in them it hides.
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { SYSTEM_DIRS } from "../agent-mounts.js";
import type { Mask, SystemEntry } from "./argv.js";

/** Shown read-only: programs, libraries and configuration (SYSTEM_DIRS); never /home, /root, /run (the docker socket), /var. */

/** Hidden although /etc is shown: password hashes, sudo rules, host keys, TLS private keys, daemon settings. */
export const MASKED = ["/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh", "/etc/ssl/private", "/etc/docker", "/etc/security/opasswd"];

export function systemEntries(dirs: readonly string[] = SYSTEM_DIRS): SystemEntry[] {
  const out: SystemEntry[] = [];
  for (const dir of dirs) {
    let stat;
    try {
      stat = lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) out.push({ kind: "symlink", path: dir, target: readlinkSync(dir) });
    else if (stat.isDirectory()) out.push({ kind: "dir", path: dir });
  }
  return out;
}

export function masks(paths: readonly string[] = MASKED): Mask[] {
  const out: Mask[] = [];
  for (const p of paths) {
    try {
      out.push({ kind: statSync(p).isDirectory() ? "dir" : "file", path: p });
    } catch {
      // not on this host
    }
  }
  return out;
}

/** /etc/resolv.conf when it points outside /etc (systemd-resolved): needed for DNS with the network open. */
export function networkFiles(): string[] {
  try {
    const real = realpathSync("/etc/resolv.conf");
    return real.startsWith("/etc/") || !existsSync(real) ? [] : [real];
  } catch {
    return [];
  }
}
