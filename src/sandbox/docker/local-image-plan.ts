// What goes into the locally built node image: the host's node, its libraries, shells, the usual tools and git.
import { execFileSync } from "node:child_process";
import { libraryClosure } from "./elf-libraries.js";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SandboxUnavailableError } from "../../errors.js";
import { AGENT_LIBRARIES, CA_BUNDLES, GIT_DIRS, GIT_SKIPPED, HOST_TOOLS } from "./local-image-tools.js";

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
const BUILDER_VERSION = "3";
const IMAGE_PATH = "/usr/local/bin:/usr/bin:/bin";
/** Where host tools are looked for: the system's own directories, never a user's PATH. */
const SYSTEM_BIN = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"];

/** The shared libraries the given executables load, transitively (read from their ELF headers). */
export function sharedLibraries(...executables: string[]): string[] {
  return libraryClosure(executables);
}

function findTool(name: string): string | undefined {
  for (const dir of SYSTEM_BIN) {
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A host file at `at`, keeping its permission bits. */
function fileEntry(source: string, at: string): ImageEntry {
  const real = realpathSync(source);
  return { kind: "file", path: at, source: real, mode: statSync(real).mode & 0o7777 };
}

/** Entries for a library: the file at its resolved path, a link at the path it was asked for (one copy, not two). */
function libraryEntries(lib: string): ImageEntry[] {
  const real = realpathSync(lib);
  const out: ImageEntry[] = [{ kind: "file", path: real, source: real, mode: 0o755 }];
  if (real !== lib) out.push({ kind: "symlink", path: lib, target: real });
  return out;
}

/** Entries for an executable and its libraries, each at its host path (and the library's resolved path). */
function withLibraries(executable: string, at: string): ImageEntry[] {
  return [fileEntry(executable, at), ...sharedLibraries(executable).flatMap(libraryEntries)];
}

/** Executable files among entries (their libraries are looked up in one go). */
function executables(entries: readonly ImageEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => (e.kind === "file" && e.mode & 0o111 ? [e.source] : [])))];
}

/** The host's tools at /usr/bin, each with a /bin alias; which were found, and which were not. */
function hostToolEntries(): { entries: ImageEntry[]; found: string[] } {
  const entries: ImageEntry[] = [];
  const found: string[] = [];
  for (const tool of HOST_TOOLS) {
    const host = findTool(tool);
    if (!host) continue;
    entries.push(fileEntry(host, `/usr/bin/${tool}`), { kind: "symlink", path: `/bin/${tool}`, target: `/usr/bin/${tool}` });
    found.push(tool);
  }
  return { entries, found };
}

/** Busybox's applets at /bin for every tool the host did not provide. */
function busyboxEntries(provided: ReadonlySet<string>): ImageEntry[] {
  const busybox = findTool("busybox");
  if (!busybox) return [];
  const applets = execFileSync(busybox, ["--list"], { encoding: "utf8" }).split("\n").filter((a) => /^[\w.[-]+$/.test(a));
  const entries: ImageEntry[] = withLibraries(busybox, "/bin/busybox");
  for (const applet of applets) {
    if (applet !== "busybox" && !provided.has(applet)) entries.push({ kind: "symlink", path: `/bin/${applet}`, target: "busybox" });
  }
  return entries;
}

/** Every file under `dir` (bounded), at its host path; hard links to one file become symlinks to it. */
function treeEntries(dir: string, skip: RegExp | undefined, seen: Map<string, string>, depth = 0): ImageEntry[] {
  const out: ImageEntry[] = [];
  if (depth > 3) return out;
  for (const name of readdirSync(dir).sort()) {
    if (skip?.test(name)) continue;
    const file = path.join(dir, name);
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) out.push({ kind: "symlink", path: file, target: readlinkSync(file) });
    else if (stat.isDirectory()) out.push({ kind: "dir", path: file, mode: stat.mode & 0o7777 }, ...treeEntries(file, skip, seen, depth + 1));
    else if (stat.isFile()) {
      const inode = `${stat.dev}:${stat.ino}`;
      const first = seen.get(inode);
      if (first) out.push({ kind: "symlink", path: file, target: first });
      else {
        seen.set(inode, file);
        out.push(fileEntry(file, file));
      }
    }
  }
  return out;
}

/** Git's helpers and templates, when git was copied. */
function gitEntries(): ImageEntry[] {
  const git = findTool("git");
  if (!git) return [];
  const seen = new Map<string, string>();
  const gitStat = statSync(git);
  seen.set(`${gitStat.dev}:${gitStat.ino}`, "/usr/bin/git");
  const out: ImageEntry[] = [];
  for (const dir of GIT_DIRS.exec) if (existsSync(dir)) out.push({ kind: "dir", path: dir, mode: 0o755 }, ...treeEntries(dir, GIT_SKIPPED, seen));
  for (const dir of GIT_DIRS.templates) if (existsSync(dir)) out.push({ kind: "dir", path: dir, mode: 0o755 }, ...treeEntries(dir, undefined, seen));
  return out;
}

/** The libraries agents' native binaries need, from the directory the host's libc lives in. */
function agentLibraryEntries(nodeLibraries: readonly string[]): ImageEntry[] {
  const libc = nodeLibraries.find((lib) => path.basename(lib) === "libc.so.6");
  if (!libc) return [];
  const dir = path.dirname(libc);
  return AGENT_LIBRARIES.map((name) => path.join(dir, name)).filter((lib) => existsSync(lib)).flatMap(libraryEntries);
}

function certificateEntries(): ImageEntry[] {
  const bundle = CA_BUNDLES.find((file) => existsSync(file));
  return bundle ? [fileEntry(bundle, bundle), ...(bundle.startsWith("/etc/ssl/certs/") ? [] : [{ kind: "symlink", path: "/etc/ssl/certs/ca-certificates.crt", target: bundle } as const])] : [];
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
  for (const entry of entries) {
    if (entry.kind === "dir") add(entry.path, entry.mode);
    else add(path.posix.dirname(entry.path));
  }
  const seen = new Set<string>(dirs.keys());
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
  const tools = hostToolEntries();
  const busybox = busyboxEntries(new Set(tools.found));
  if (!tools.found.includes("sh") && !busybox.length) {
    throw new SandboxUnavailableError("cannot build the local node image: neither /bin/sh nor busybox was found", "install busybox-static (apt install busybox-static) or pass --image");
  }
  const programs = [...tools.entries, ...busybox, ...gitEntries()];
  const libraries = sharedLibraries(...executables(programs)).flatMap(libraryEntries);
  const extras = [...agentLibraryEntries(sharedLibraries(node)), ...certificateEntries()];
  const entries = withDirectories([...nodeEntries, ...links, ...programs, ...libraries, ...extras, ...etcFiles()]);
  const shell = [`the host's ${tools.found.length} tools (${tools.found.slice(0, 6).join(", ")}, ...)`, ...(busybox.length ? ["busybox for the rest"] : [])].join(" and ");
  return { repository: LOCAL_IMAGE_REPOSITORY, tag: fingerprint(entries), entries, node, shell };
}

/** The `docker import` changes that make the image usable: PATH and a default command. */
export const IMAGE_CHANGES = [`ENV PATH=${IMAGE_PATH}`, 'CMD ["/bin/sh"]', "LABEL acp-sandbox.image=local-node"];
