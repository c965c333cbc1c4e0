// The shared libraries ELF executables load, read from their headers (DT_NEEDED, PT_INTERP) without running ldd.
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readSync } from "node:fs";
import path from "node:path";

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1;
const DT_STRTAB = 5;

interface ElfLinks {
  readonly interpreter?: string | undefined;
  readonly needed: readonly string[];
  /** ELF class and machine, so that libraries of another architecture are never picked. */
  readonly kind: string;
}

function read(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const got = readSync(fd, buffer, 0, length, offset);
  return buffer.subarray(0, got);
}

/** What a 64-bit little-endian ELF file links against; undefined for anything else (scripts, static data). */
export function elfLinks(file: string): ElfLinks | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const header = read(fd, 0, 64);
    if (header.length < 64 || header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) return undefined;
    const kind = `elf64-${header.readUInt16LE(18)}`;
    const phoff = Number(header.readBigUInt64LE(32));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const table = read(fd, phoff, phentsize * phnum);
    const loads: Array<{ vaddr: number; offset: number; size: number }> = [];
    let dynamic: { offset: number; size: number } | undefined;
    let interpreter: string | undefined;
    for (let i = 0; i < phnum; i++) {
      const ph = table.subarray(i * phentsize, (i + 1) * phentsize);
      if (ph.length < 56) break;
      const type = ph.readUInt32LE(0);
      const offset = Number(ph.readBigUInt64LE(8));
      const vaddr = Number(ph.readBigUInt64LE(16));
      const filesz = Number(ph.readBigUInt64LE(32));
      if (type === PT_LOAD) loads.push({ vaddr, offset, size: filesz });
      else if (type === PT_DYNAMIC) dynamic = { offset, size: filesz };
      else if (type === PT_INTERP) interpreter = read(fd, offset, Math.min(filesz, 4096)).toString("latin1").replace(/\0.*$/s, "");
    }
    if (!dynamic) return { interpreter, needed: [], kind };
    const entries = read(fd, dynamic.offset, Math.min(dynamic.size, 1 << 20));
    const neededOffsets: number[] = [];
    let strtab: number | undefined;
    for (let at = 0; at + 16 <= entries.length; at += 16) {
      const tag = Number(entries.readBigInt64LE(at));
      const value = Number(entries.readBigUInt64LE(at + 8));
      if (tag === 0) break;
      if (tag === DT_NEEDED) neededOffsets.push(value);
      else if (tag === DT_STRTAB) strtab = value;
    }
    const segment = strtab === undefined ? undefined : loads.find((l) => strtab! >= l.vaddr && strtab! < l.vaddr + l.size);
    if (!segment || strtab === undefined) return { interpreter, needed: [], kind };
    const base = segment.offset + (strtab - segment.vaddr);
    const needed = neededOffsets.map((offset) => read(fd, base + offset, 256).toString("latin1").replace(/\0.*$/s, ""));
    return { interpreter, needed, kind };
  } finally {
    closeSync(fd);
  }
}

/** `ldconfig -p`: soname → paths, in the loader's order (one run for the whole plan). */
function loaderCache(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let out = "";
  for (const ldconfig of ["/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"]) {
    try {
      out = execFileSync(ldconfig, ["-p"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 16 * 1024 * 1024 });
      break;
    } catch {
      // try the next place
    }
  }
  for (const line of out.split("\n")) {
    const m = /^\s+(\S+)\s+\(([^)]*)\)\s+=>\s+(\/\S+)$/.exec(line);
    if (m) map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[3]!]);
  }
  return map;
}

const DEFAULT_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"];

/**
 * Every shared library the executables load, transitively, plus their loaders (what `ldd` lists, with
 * no process started per file). Libraries of another architecture than the executable's are skipped.
 */
export function libraryClosure(executables: readonly string[]): string[] {
  const cache = loaderCache();
  const found = new Set<string>();
  const queue = [...executables];
  const resolve = (name: string, kind: string): string | undefined => {
    if (name.includes("/")) return name;
    const candidates = [...(cache.get(name) ?? []), ...DEFAULT_DIRS.map((dir) => path.join(dir, name))];
    return candidates.find((candidate) => elfLinks(candidate)?.kind === kind);
  };
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const links = elfLinks(queue[i]!);
    if (!links) continue;
    const more = [...(links.interpreter ? [links.interpreter] : []), ...links.needed.flatMap((name) => resolve(name, links.kind) ?? [])];
    for (const lib of more) {
      if (found.has(lib)) continue;
      found.add(lib);
      queue.push(lib);
    }
  }
  return [...found];
}
