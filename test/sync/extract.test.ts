// Safe extraction onto the host: hostile archive entries are refused and reported, good ones land atomically.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync, mkdirSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import tar from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractToHost } from "../../src/sync/extract.js";
import { tempDir } from "./tree.js";

type Entry = { header: Parameters<tar.Pack["entry"]>[0]; body?: string };

function archive(entries: Entry[]): PassThrough {
  const pack = tar.pack();
  for (const { header, body } of entries) pack.entry(header, body ?? "");
  pack.finalize();
  const out = new PassThrough();
  pack.pipe(out);
  return out;
}

/** A tar whose first entry's name is written raw (tar-stream would not write an absolute or `..` name otherwise). */
function rawArchive(name: string, body: string): PassThrough {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, "utf8");
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(body.length.toString(8).padStart(11, "0") + "\0", 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  data.write(body);
  const out = new PassThrough();
  out.end(Buffer.concat([header, data, Buffer.alloc(1024)]));
  return out;
}

let ws: ReturnType<typeof tempDir>;
let outside: ReturnType<typeof tempDir>;
beforeEach(() => {
  ws = tempDir("acp-sync-extract-");
  outside = tempDir("acp-sync-outside-");
});
afterEach(() => {
  ws.cleanup();
  outside.cleanup();
});

const anywhere = (rel: string) => ({ dest: rel });

describe("hostile archive entries", () => {
  it("refuses an absolute path", async () => {
    const target = path.join(outside.dir, "pwned");
    const result = await extractToHost(ws.dir, rawArchive(target, "x"), anywhere);
    expect(existsSync(target)).toBe(false);
    expect(result.refused).toEqual([{ path: target, reason: "refused: an absolute path" }]);
  });

  it("refuses a path climbing out with ..", async () => {
    const name = `../${path.basename(outside.dir)}/pwned`;
    const result = await extractToHost(ws.dir, rawArchive(name, "x"), anywhere);
    expect(existsSync(path.join(outside.dir, "pwned"))).toBe(false);
    expect(result.refused).toEqual([{ path: name, reason: "refused: a path with .." }]);
  });

  it("refuses device files, fifos and hard links", async () => {
    const result = await extractToHost(
      ws.dir,
      archive([
        { header: { name: "dev-null", type: "character-device", devmajor: 1, devminor: 3 } },
        { header: { name: "disk", type: "block-device", devmajor: 8, devminor: 0 } },
        { header: { name: "pipe", type: "fifo" } },
        { header: { name: "hard", type: "link", linkname: "/etc/shadow" } },
      ]),
      anywhere,
    );
    expect(readdirSync(ws.dir)).toEqual([]);
    expect(result.refused).toEqual([
      { path: "dev-null", reason: "refused: a device file" },
      { path: "disk", reason: "refused: a device file" },
      { path: "pipe", reason: "refused: a named pipe" },
      { path: "hard", reason: "refused: a hard link to /etc/shadow" },
    ]);
  });

  it("refuses links pointing outside, keeps links that stay inside", async () => {
    const result = await extractToHost(
      ws.dir,
      archive([
        { header: { name: "up", type: "symlink", linkname: "../../etc/passwd" } },
        { header: { name: "abs", type: "symlink", linkname: "/etc/passwd" } },
        { header: { name: "sub/ok", type: "symlink", linkname: "../README.md" } },
      ]),
      anywhere,
    );
    expect(result.refused).toEqual([
      { path: "up", reason: "refused: a symlink to ../../etc/passwd that points outside the workspace" },
      { path: "abs", reason: "refused: a symlink to /etc/passwd that points outside the workspace" },
    ]);
    expect(existsSync(path.join(ws.dir, "up"))).toBe(false);
    expect(lstatSync(path.join(ws.dir, "sub/ok")).isSymbolicLink()).toBe(true);
  });

  it("does not write through a symlinked directory, even one pointing inside", async () => {
    mkdirSync(path.join(ws.dir, ".git/hooks"), { recursive: true });
    symlinkSync(".git/hooks", path.join(ws.dir, "hooks"));
    symlinkSync(outside.dir, path.join(ws.dir, "out"));
    const result = await extractToHost(
      ws.dir,
      archive([
        { header: { name: "hooks/pre-commit", mode: 0o755 }, body: "#!/bin/sh\nevil\n" },
        { header: { name: "out/pwned" }, body: "x" },
      ]),
      anywhere,
    );
    expect(existsSync(path.join(ws.dir, ".git/hooks/pre-commit"))).toBe(false);
    expect(readdirSync(outside.dir)).toEqual([]);
    expect(result.refused).toEqual([
      { path: "hooks/pre-commit", reason: "refused: hooks is a symlink on the host; nothing is written through it" },
      { path: "out/pwned", reason: "refused: out is a symlink on the host; nothing is written through it" },
    ]);
  });

  it("refuses what the caller did not ask for, and setuid bits never land", async () => {
    const result = await extractToHost(
      ws.dir,
      archive([
        { header: { name: "wanted.sh", mode: 0o4755 }, body: "ok\n" },
        { header: { name: "unwanted" }, body: "no\n" },
      ]),
      (rel) => (rel === "wanted.sh" ? { dest: rel } : { refuse: "refused: not asked for" }),
    );
    expect(result.refused).toEqual([{ path: "unwanted", reason: "refused: not asked for" }]);
    expect(lstatSync(path.join(ws.dir, "wanted.sh")).mode & 0o7777).toBe(0o755);
    expect(readFileSync(path.join(ws.dir, "wanted.sh"), "utf8")).toBe("ok\n");
    expect(existsSync(path.join(ws.dir, "unwanted"))).toBe(false);
  });
});

describe("atomic landing", () => {
  it("replaces a file in one rename: no temp file remains, the old inode is not written into", async () => {
    await extractToHost(ws.dir, archive([{ header: { name: "a.txt" }, body: "old\n" }]), anywhere);
    const before = lstatSync(path.join(ws.dir, "a.txt")).ino;
    const result = await extractToHost(ws.dir, archive([{ header: { name: "a.txt", mode: 0o600 }, body: "new\n" }]), anywhere);
    expect(readFileSync(path.join(ws.dir, "a.txt"), "utf8")).toBe("new\n");
    expect(lstatSync(path.join(ws.dir, "a.txt")).ino).not.toBe(before);
    expect(lstatSync(path.join(ws.dir, "a.txt")).mode & 0o777).toBe(0o600);
    expect(readdirSync(ws.dir)).toEqual(["a.txt"]);
    expect(result.landed[0]).toMatchObject({ rel: "a.txt", dest: "a.txt", type: "file", size: 4, mode: 0o600, hash: createHash("sha256").update("new\n").digest("hex") });
  });

  it("a stream that breaks mid-file leaves the old content and no temp file", async () => {
    await extractToHost(ws.dir, archive([{ header: { name: "big.bin" }, body: "old\n" }]), anywhere);
    const pack = tar.pack();
    const sink = pack.entry({ name: "big.bin", size: 1 << 20 });
    sink.on("error", () => {});
    sink.write(Buffer.alloc(100_000, 1));
    const broken = new PassThrough();
    pack.on("error", () => {});
    pack.pipe(broken);
    setTimeout(() => broken.destroy(new Error("connection reset")), 50);
    await expect(extractToHost(ws.dir, broken, anywhere)).rejects.toThrow();
    expect(readFileSync(path.join(ws.dir, "big.bin"), "utf8")).toBe("old\n");
    expect(readdirSync(ws.dir)).toEqual(["big.bin"]);
  });
});
