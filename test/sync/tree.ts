// Test support for sync: build a directory tree from a description, and read one back with hashes and modes.
import { createHash } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type Spec = Record<string, string | Buffer | { content: string | Buffer; mode: number } | { link: string } | { dir: number }>;

export function tempDir(prefix = "acp-sandbox-sync-"): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function build(root: string, spec: Spec): void {
  for (const [rel, value] of Object.entries(spec)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    if (typeof value === "string" || Buffer.isBuffer(value)) writeFileSync(file, value);
    else if ("link" in value) symlinkSync(value.link, file);
    else if ("dir" in value) {
      mkdirSync(file, { recursive: true });
      chmodSync(file, value.dir);
    } else {
      writeFileSync(file, value.content);
      chmodSync(file, value.mode);
    }
  }
}

/** rel → "file 644 <sha256>" | "dir 755" | "link <target>", every path under root (nothing excluded). */
export function snapshot(root: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const full = path.join(root, r);
      const st = lstatSync(full);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link ${readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else out[r] = `file ${mode} ${createHash("sha256").update(readFileSync(full)).digest("hex")}`;
    }
  };
  walk("");
  return out;
}

export const quietLog = { info: () => {}, warn: () => {}, debug: () => {} };

/** A log that keeps its lines, for asserting on what sync said. */
export function recordingLog(): { lines: string[]; info: (m: string) => void; warn: (m: string) => void; debug: (m: string) => void } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), debug: (m) => lines.push(`debug ${m}`) };
}
