// What goes into the locally built node image: the host's node, its shared libraries, a shell and tools.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, realpathSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SandboxUnavailableError } from "../../errors.js";

export type ImageEntry =
  | { readonly kind: "dir"; readonly path: string; readonly mode: number }
  | { readonly kind: "file"; readonly path: string; readonly source: string; readonly mode: number }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  | { readonly kind: "text"; readonly path: string; readonly content: string; readonly mode: number };

export interface ImagePlan {
  readonly repository: string;
  /** A hash of everything that went in (paths, sizes, mtimes, the builder's version). */
  readonly tag: string;
  readonly entries: readonly ImageEntry[];
  /** Where node lives inside the image (its host path, resolved). */
  readonly node: string;
  /** What was used for a shell: busybox, or the host's own tools. */
  readonly shell: string;
}

export const LOCAL_IMAGE_REPOSITORY = "acp-sandbox-node";
const BUILDER_VERSION = "1";
/** Host tools copied (with their libraries) when busybox is not installed. */
const HOST_TOOLS = ["sh", "ls", "cat", "id", "echo", "sleep", "kill", "env", "mkdir", "rm", "pwd", "head", "tail", "grep", "wc", "touch", "uname", "printf", "test", "true", "false"];
const IMAGE_PATH = "/usr/local/bin:/usr/bin:/bin";

/** The shared libraries a dynamic executable loads, as `ldd` reports them (none for a static one). */
export function sharedLibraries(executable: string): string[] {
  let out: string;
  try {
    out = execFileSync("ldd", [executable], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    return []; // "not a dynamic executable", or no ldd: nothing to copy
  }
  const libs = new Set<string>();
  for (const line of out.split("\n")) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]!);
  }
  return [...libs];
}

function findOnPath(name: string): string | undefined {
  for (const dir of [...(process.env["PATH"] ?? "").split(":"), "/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** Entries for an executable and its libraries, each at its host path (and the library's resolved path). */
function withLibraries(executable: string, at: string): ImageEntry[] {
  const out: ImageEntry[] = [{ kind: "file", path: at, source: realpathSync(executable), mode: 0o755 }];
  for (const lib of sharedLibraries(executable)) {
    out.push({ kind: "file", path: lib, source: realpathSync(lib), mode: 0o755 });
    const real = realpathSync(lib);
    if (real !== lib) out.push({ kind: "file", path: real, source: real, mode: 0o755 });
  }
  return out;
}

function shellEntries(): { entries: ImageEntry[]; shell: string } {
  const busybox = findOnPath("busybox");
  if (busybox) {
    const applets = execFileSync(busybox, ["--list"], { encoding: "utf8" }).split("\n").filter((a) => /^[\w.[-]+$/.test(a));
    const entries: ImageEntry[] = withLibraries(busybox, "/bin/busybox");
    for (const applet of applets) if (applet !== "busybox") entries.push({ kind: "symlink", path: `/bin/${applet}`, target: "busybox" });
    return { entries, shell: `busybox (${realpathSync(busybox)})` };
  }
  const entries: ImageEntry[] = [];
  const found: string[] = [];
  for (const tool of HOST_TOOLS) {
    const host = findOnPath(tool);
    if (!host) continue;
    entries.push(...withLibraries(host, `/bin/${tool}`));
    found.push(tool);
  }
  if (!found.includes("sh")) {
    throw new SandboxUnavailableError("cannot build the local node image: neither busybox nor /bin/sh was found", "install busybox-static (apt install busybox-static) or pass --image");
  }
  return { entries, shell: `the host's own tools (${found.join(", ")})` };
}

function etcFiles(): ImageEntry[] {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const user = uid === 0 ? "root" : os.userInfo().username.replace(/[^\w.-]/g, "") || "sandbox";
  const passwd = ["root:x:0:0:root:/root:/bin/sh", ...(uid === 0 ? [] : [`${user}:x:${uid}:${gid}::/home/${user}:/bin/sh`]), "nobody:x:65534:65534:nobody:/nonexistent:/bin/false"];
  const group = ["root:x:0:", ...(gid === 0 ? [] : [`${user}:x:${gid}:`]), "nogroup:x:65534:"];
  return [
    { kind: "text", path: "/etc/passwd", content: passwd.join("\n") + "\n", mode: 0o644 },
    { kind: "text", path: "/etc/group", content: group.join("\n") + "\n", mode: 0o644 },
    { kind: "text", path: "/etc/nsswitch.conf", content: "passwd: files\ngroup: files\nhosts: files dns\n", mode: 0o644 },
  ];
}

/** Adds the parent directories every entry needs, once each, before the entries themselves. */
function withDirectories(entries: readonly ImageEntry[]): ImageEntry[] {
  const dirs = new Map<string, ImageEntry>();
  const add = (dir: string, mode = 0o755) => {
    if (dir === "/" || dirs.has(dir)) return;
    add(path.posix.dirname(dir));
    dirs.set(dir, { kind: "dir", path: dir, mode });
  };
  for (const dir of ["/tmp", "/var/tmp"]) add(dir, 0o1777);
  for (const dir of ["/root", "/home", "/proc", "/sys", "/dev", "/etc", "/usr/local/bin", "/run"]) add(dir, dir === "/root" ? 0o700 : 0o755);
  for (const entry of entries) add(path.posix.dirname(entry.path));
  const seen = new Set<string>();
  const unique = entries.filter((e) => !seen.has(e.path) && !!seen.add(e.path));
  return [...dirs.values(), ...unique];
}

function fingerprint(entries: readonly ImageEntry[]): string {
  const hash = createHash("sha256").update(BUILDER_VERSION);
  for (const entry of entries) {
    hash.update(`\0${entry.kind}\0${entry.path}\0`);
    if (entry.kind === "file") {
      const stat = statSync(entry.source);
      hash.update(`${entry.source}\0${stat.size}\0${stat.mtimeMs}\0${entry.mode}`);
    } else if (entry.kind === "symlink") hash.update(entry.target);
    else if (entry.kind === "text") hash.update(entry.content);
    else hash.update(String(entry.mode));
  }
  return hash.digest("hex").slice(0, 12);
}

/** Everything the image holds, read from this machine; the tag changes whenever an input does. */
export function localImagePlan(nodeBinary: string = process.execPath): ImagePlan {
  const node = realpathSync(nodeBinary);
  const nodeEntries = withLibraries(node, node);
  const links: ImageEntry[] = [];
  for (const alias of new Set([nodeBinary, "/usr/local/bin/node", "/usr/bin/node"])) {
    if (alias !== node) links.push({ kind: "symlink", path: alias, target: node });
  }
  const { entries: shell, shell: shellName } = shellEntries();
  const entries = withDirectories([...nodeEntries, ...links, ...shell, ...etcFiles()]);
  return { repository: LOCAL_IMAGE_REPOSITORY, tag: fingerprint(entries), entries, node, shell: shellName };
}

/** The `docker import` changes that make the image usable: PATH and a default command. */
export const IMAGE_CHANGES = [`ENV PATH=${IMAGE_PATH}`, 'CMD ["/bin/sh"]', "LABEL acp-sandbox.image=local-node"];
