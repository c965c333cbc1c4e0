// Copy mode: containment and I/O through a sandbox's RuntimeFiles, here a runtime copy kept in a directory of its own.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile, realpath, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PathMap } from "../../src/sandbox/path-map.js";
import type { FileStat, RuntimeFiles } from "../../src/sandbox/types.js";
import { readRuntimeText, resolveRuntime, writeRuntimeText } from "../../toolhost/fs/runtime-files.js";
import type { AllowedRoot } from "../../toolhost/paths.js";

/** A runtime whose filesystem root `/runtime` is the directory `disk`: the sandbox's side of RuntimeFiles. */
class DirectoryRuntime implements RuntimeFiles {
  constructor(private readonly disk: string) {}
  toDisk(p: string): string {
    if (!p.startsWith("/runtime")) throw new Error(`not a runtime path: ${p}`);
    return path.join(this.disk, p.slice("/runtime".length));
  }
  async readFile(p: string): Promise<Buffer> {
    return readFile(this.toDisk(p));
  }
  async writeFile(p: string, data: Buffer, options: { mode?: number } = {}): Promise<void> {
    await writeFile(this.toDisk(p), data);
    if (options.mode !== undefined) chmodSync(this.toDisk(p), options.mode);
  }
  async stat(p: string): Promise<FileStat | undefined> {
    try {
      const { lstat } = await import("node:fs/promises");
      const s = await lstat(this.toDisk(p));
      return { type: s.isSymbolicLink() ? "symlink" : s.isDirectory() ? "directory" : s.isFile() ? "file" : "other", size: s.size, mode: s.mode & 0o7777 };
    } catch {
      return undefined;
    }
  }
  async realpath(p: string): Promise<string> {
    const real = await realpath(this.toDisk(p));
    return real.startsWith(this.disk) ? "/runtime" + real.slice(this.disk.length) : real;
  }
}

let tmp: string;
let host: string;
let files: DirectoryRuntime;
let map: PathMap;
let roots: AllowedRoot[];
const made: string[] = [];
const mkdirs = async (dir: string) => {
  made.push(dir);
  mkdirSync(files.toDisk(dir), { recursive: true });
};

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), "toolhost-copy-")));
  host = path.join(tmp, "host-ws");
  mkdirSync(host);
  files = new DirectoryRuntime(path.join(tmp, "disk"));
  mkdirSync(files.toDisk("/runtime/ws/src"), { recursive: true });
  mkdirSync(files.toDisk("/runtime/other"), { recursive: true });
  writeFileSync(files.toDisk("/runtime/ws/notes.txt"), "a\nb\nc\n");
  writeFileSync(files.toDisk("/runtime/other/secret.txt"), "TOP SECRET\n");
  map = new PathMap([{ host, runtime: "/runtime/ws" }]);
  roots = [{ path: host, writable: true }];
  made.length = 0;
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe("copy mode files", () => {
  it("reads the runtime's copy; rules see the host path", async () => {
    const target = await resolveRuntime(files, map, "/runtime/ws/notes.txt", roots, "/runtime/ws/notes.txt");
    expect(target).toMatchObject({ runtimeReal: "/runtime/ws/notes.txt", hostReal: `${host}/notes.txt`, root: roots[0] });
    expect(await readRuntimeText(files, target, "/runtime/ws/notes.txt", { line: 2, limit: 1, maxBytes: 1000 })).toBe("b\n");
  });

  it("refuses links that lead out of the copy, and dangling links", async () => {
    symlinkSync("../other/secret.txt", files.toDisk("/runtime/ws/leak.txt"));
    symlinkSync("../other", files.toDisk("/runtime/ws/dir"));
    symlinkSync("../nowhere/x", files.toDisk("/runtime/ws/dangling"));
    await expect(resolveRuntime(files, map, "/runtime/ws/leak.txt", roots, "/runtime/ws/leak.txt")).rejects.toThrow(
      `acp-sandbox: /runtime/ws/leak.txt lies outside the allowed directories (it resolves to /runtime/other/secret.txt in the sandbox); allowed: ${host}`,
    );
    await expect(resolveRuntime(files, map, "/runtime/ws/dir/new.txt", roots, "/runtime/ws/dir/new.txt")).rejects.toThrow(/lies outside the allowed directories/);
    await expect(resolveRuntime(files, map, "/runtime/ws/dangling", roots, "/runtime/ws/dangling")).rejects.toThrow(
      "acp-sandbox: /runtime/ws/dangling is a symbolic link whose target does not exist; in copy mode such links are refused",
    );
  });

  it("writes into the copy (never the host), making missing directories inside the sandbox, keeping an existing mode", async () => {
    const fresh = await resolveRuntime(files, map, "/runtime/ws/new/deep/file.txt", roots, "x");
    expect(fresh.stat).toBeUndefined();
    await writeRuntimeText(files, map, fresh, "x", "hello\n", roots, mkdirs);
    expect(made).toEqual(["/runtime/ws/new/deep"]);
    expect(readFileSync(files.toDisk("/runtime/ws/new/deep/file.txt"), "utf8")).toBe("hello\n");
    expect(existsSync(`${host}/new`)).toBe(false);

    chmodSync(files.toDisk("/runtime/ws/notes.txt"), 0o750);
    const existing = await resolveRuntime(files, map, "/runtime/ws/notes.txt", roots, "y");
    await writeRuntimeText(files, map, existing, "y", "new\n", roots, mkdirs);
    expect((await stat(files.toDisk("/runtime/ws/notes.txt"))).mode & 0o777).toBe(0o750);
    expect(statSync(files.toDisk("/runtime/ws/new/deep/file.txt")).mode & 0o777).toBe(0o644);
  });

  it("refuses directories, oversized files and read-only roots", async () => {
    const dir = await resolveRuntime(files, map, "/runtime/ws/src", roots, "/runtime/ws/src");
    await expect(readRuntimeText(files, dir, "/runtime/ws/src", { maxBytes: 10 })).rejects.toThrow("acp-sandbox: /runtime/ws/src is a directory, not a file");
    const notes = await resolveRuntime(files, map, "/runtime/ws/notes.txt", roots, "n");
    await expect(readRuntimeText(files, notes, "n", { maxBytes: 3 })).rejects.toThrow("acp-sandbox: n is too large to read (6 bytes; the limit is 3)");
    const readOnly = await resolveRuntime(files, map, "/runtime/ws/notes.txt", [{ path: host, writable: false }], "n");
    await expect(writeRuntimeText(files, map, readOnly, "n", "x", roots, mkdirs)).rejects.toThrow(`acp-sandbox: n lies in ${host}, which is read-only`);
  });
});
