// Paths and file I/O against a real directory tree: every escape staged for real (.., NUL, links, swaps) and refused.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError, PathRefusedError } from "../../toolhost/errors.js";
import { locate } from "../../toolhost/fs/locate.js";
import { readTextFile } from "../../toolhost/fs/read.js";
import { decodeText, sliceLines } from "../../toolhost/fs/text.js";
import { writeTextFile } from "../../toolhost/fs/write.js";
import { type AllowedRoot, checkRequestPath } from "../../toolhost/paths.js";

let tmp: string;
let ws: string;
let outside: string;
let roots: AllowedRoot[];
const MAX = 1024 * 1024;

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), "toolhost-fs-")));
  ws = path.join(tmp, "ws");
  outside = path.join(tmp, "outside");
  mkdirSync(path.join(ws, "src"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(outside, "secret.txt"), "TOP SECRET\n");
  writeFileSync(path.join(ws, "lines.txt"), "one\ntwo\nthree\nfour\n");
  roots = [{ path: ws, writable: true }];
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const read = (p: string, extra: { line?: number; limit?: number } = {}, maxBytes = MAX) => readTextFile({ hostPath: checkRequestPath(p, roots), requested: p, ...extra }, roots, maxBytes);
const write = (p: string, content: string) => writeTextFile({ hostPath: checkRequestPath(p, roots), requested: p, content }, roots);

describe("request paths", () => {
  it("refuses relative paths, NUL bytes and .. that leaves the workspace, naming the path", () => {
    expect(() => checkRequestPath("src/a.txt", roots)).toThrow("acp-sandbox: path src/a.txt is not an absolute path");
    expect(() => checkRequestPath(`${ws}/a\0.txt`, roots)).toThrow(/contains a NUL byte/);
    expect(() => checkRequestPath(`${ws}/../outside/secret.txt`, roots)).toThrow(
      `acp-sandbox: path ${ws}/../outside/secret.txt leaves the allowed directories with '..' (it means ${outside}/secret.txt; allowed: ${ws})`,
    );
    expect(() => checkRequestPath("", roots)).toThrow(/non-empty absolute path/);
    expect(checkRequestPath(`${ws}/src/../lines.txt`, roots)).toBe(`${ws}/lines.txt`);
  });
});

describe("reading", () => {
  it("honours line (1-based) and limit exactly, endings kept", async () => {
    expect(await read(`${ws}/lines.txt`)).toBe("one\ntwo\nthree\nfour\n");
    expect(await read(`${ws}/lines.txt`, { line: 2, limit: 2 })).toBe("two\nthree\n");
    expect(await read(`${ws}/lines.txt`, { line: 4 })).toBe("four\n");
    expect(await read(`${ws}/lines.txt`, { limit: 1 })).toBe("one\n");
    expect(await read(`${ws}/lines.txt`, { line: 9 })).toBe("");
    expect(await read(`${ws}/lines.txt`, { line: 2, limit: 0 })).toBe("");
    expect(sliceLines("a\r\nb", 2, 5)).toBe("b");
  });

  it("a missing file is NotFound; a directory, a binary, non-UTF-8 or oversized file is a clear error", async () => {
    await expect(read(`${ws}/nope.txt`)).rejects.toThrow(`acp-sandbox: ${ws}/nope.txt does not exist`);
    await expect(read(`${ws}/no/such/dir/x.txt`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(read(`${ws}/src`)).rejects.toThrow(`acp-sandbox: ${ws}/src is a directory, not a file`);
    writeFileSync(`${ws}/img.png`, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]));
    await expect(read(`${ws}/img.png`)).rejects.toThrow(`acp-sandbox: ${ws}/img.png is a binary file (it contains NUL bytes); only text files can be read`);
    writeFileSync(`${ws}/latin1.txt`, Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await expect(read(`${ws}/latin1.txt`)).rejects.toThrow(`acp-sandbox: ${ws}/latin1.txt is not valid UTF-8 text; only text files can be read`);
    writeFileSync(`${ws}/big.txt`, "x".repeat(5000));
    await expect(read(`${ws}/big.txt`, {}, 4096)).rejects.toThrow(`acp-sandbox: ${ws}/big.txt is too large to read (5000 bytes; the limit is 4096)`);
    expect(decodeText(Buffer.from("héllo ✓"), "x")).toBe("héllo ✓");
  });

  it("a FIFO is refused without hanging", async () => {
    execFileSync("mkfifo", [`${ws}/pipe`]);
    await expect(read(`${ws}/pipe`)).rejects.toThrow(`acp-sandbox: ${ws}/pipe is not a regular file`);
  });

  it("follows links that stay inside", async () => {
    symlinkSync("lines.txt", `${ws}/alias.txt`);
    symlinkSync(`${ws}/src`, `${ws}/srclink`);
    writeFileSync(`${ws}/src/a.txt`, "A\n");
    expect(await read(`${ws}/alias.txt`, { limit: 1 })).toBe("one\n");
    expect(await read(`${ws}/srclink/a.txt`)).toBe("A\n");
  });
});

describe("links that lead out", () => {
  it("a leaf link to a file outside: read and write refused, the target untouched", async () => {
    symlinkSync(`${outside}/secret.txt`, `${ws}/leak.txt`);
    await expect(read(`${ws}/leak.txt`)).rejects.toThrow(
      `acp-sandbox: ${ws}/leak.txt lies outside the allowed directories (through the symbolic link ${ws}/leak.txt); allowed: ${ws}`,
    );
    await expect(write(`${ws}/leak.txt`, "pwned")).rejects.toBeInstanceOf(PathRefusedError);
    expect(readFileSync(`${outside}/secret.txt`, "utf8")).toBe("TOP SECRET\n");
  });

  it("a link on an ancestor directory: read and write refused, nothing created outside", async () => {
    symlinkSync(outside, `${ws}/docs`);
    await expect(read(`${ws}/docs/secret.txt`)).rejects.toThrow(`acp-sandbox: ${ws}/docs/secret.txt lies outside the allowed directories (the directory ${ws}/docs is really ${outside}); allowed: ${ws}`);
    await expect(write(`${ws}/docs/new.txt`, "x")).rejects.toBeInstanceOf(PathRefusedError);
    await expect(write(`${ws}/docs/deep/er/new.txt`, "x")).rejects.toBeInstanceOf(PathRefusedError);
    expect(readdirSync(outside)).toEqual(["secret.txt"]);
  });

  it("a dangling link to a file that does not exist yet outside: write refused, the file never created", async () => {
    symlinkSync(`${outside}/planted.sh`, `${ws}/build.sh`);
    await expect(write(`${ws}/build.sh`, "#!/bin/sh\nrm -rf ~\n")).rejects.toThrow(/lies outside the allowed directories \(through the symbolic link/);
    expect(existsSync(`${outside}/planted.sh`)).toBe(false);
    // And a dangling link to a missing directory outside: nothing created there either.
    symlinkSync(`${outside}/newdir/file.txt`, `${ws}/deep.txt`);
    await expect(write(`${ws}/deep.txt`, "x")).rejects.toBeInstanceOf(PathRefusedError);
    expect(existsSync(`${outside}/newdir`)).toBe(false);
  });

  it("a dangling link that stays inside is followed and its target created", async () => {
    symlinkSync("src/generated.txt", `${ws}/gen.txt`);
    await write(`${ws}/gen.txt`, "made\n");
    expect(readFileSync(`${ws}/src/generated.txt`, "utf8")).toBe("made\n");
  });

  it("a link loop is refused", async () => {
    symlinkSync("b", `${ws}/a`);
    symlinkSync("a", `${ws}/b`);
    await expect(read(`${ws}/a`)).rejects.toThrow(/too many symbolic links/);
  });
});

describe("writing", () => {
  it("creates the file and missing parent directories", async () => {
    await write(`${ws}/new/deep/dir/file.txt`, "hello\n");
    expect(readFileSync(`${ws}/new/deep/dir/file.txt`, "utf8")).toBe("hello\n");
  });

  it("replaces atomically, keeps an existing file's mode, and leaves no temporary file", async () => {
    writeFileSync(`${ws}/run.sh`, "old\n");
    chmodSync(`${ws}/run.sh`, 0o750);
    await write(`${ws}/run.sh`, "new\n");
    expect(readFileSync(`${ws}/run.sh`, "utf8")).toBe("new\n");
    expect(statSync(`${ws}/run.sh`).mode & 0o7777).toBe(0o750);
    expect(readdirSync(ws).filter((f) => f.includes("acp-sandbox"))).toEqual([]);
    await write(`${ws}/fresh.txt`, "x");
    expect(statSync(`${ws}/fresh.txt`).mode & 0o111).toBe(0);
  });

  it("refuses a directory, and a read-only root", async () => {
    await expect(write(`${ws}/src`, "x")).rejects.toThrow(`acp-sandbox: ${ws}/src is a directory, not a file`);
    roots = [{ path: ws, writable: true }, { path: outside, writable: false }];
    await expect(write(`${outside}/secret.txt`, "x")).rejects.toThrow(`acp-sandbox: ${outside}/secret.txt lies in ${outside}, which is read-only`);
    expect(await read(`${outside}/secret.txt`)).toBe("TOP SECRET\n");
  });

  it("refuses when the path leads somewhere else than what was approved", async () => {
    writeFileSync(`${ws}/a.txt`, "a");
    symlinkSync("a.txt", `${ws}/b.txt`);
    await expect(writeTextFile({ hostPath: `${ws}/b.txt`, requested: `${ws}/b.txt`, content: "x", approvedReal: `${ws}/b.txt` }, roots)).rejects.toThrow(
      `acp-sandbox: ${ws}/b.txt changed while it was being checked (it now leads to ${ws}/a.txt, not ${ws}/b.txt)`,
    );
    expect(readFileSync(`${ws}/a.txt`, "utf8")).toBe("a");
  });
});

describe("links swapped in between check and use", () => {
  it("the directory is pinned: swapping it for a link after the check cannot redirect the I/O", async () => {
    writeFileSync(`${ws}/src/file.txt`, "inside\n");
    const place = await locate(`${ws}/src/file.txt`, roots, { create: false, requested: `${ws}/src/file.txt` });
    if (place.kind !== "pinned") throw new Error("expected a pinned place");
    try {
      renameSync(`${ws}/src`, `${ws}/src-moved`);
      symlinkSync(outside, `${ws}/src`);
      writeFileSync(place.at("file.txt"), "through the pinned directory\n");
      expect(readFileSync(`${ws}/src-moved/file.txt`, "utf8")).toBe("through the pinned directory\n");
      expect(readdirSync(outside)).toEqual(["secret.txt"]);
    } finally {
      await place.close();
    }
  });

  it("under a live swapping attack, no read ever returns the outside file and no write ever lands there", async () => {
    const swapper = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("fs"); const ws = process.argv[1], out = process.argv[2];
         for (;;) {
           try { fs.symlinkSync(out + "/secret.txt", ws + "/l1"); fs.renameSync(ws + "/l1", ws + "/race.txt"); } catch {}
           try { fs.writeFileSync(ws + "/f1", "inside\\n"); fs.renameSync(ws + "/f1", ws + "/race.txt"); } catch {}
           try { fs.symlinkSync(out + "/target.txt", ws + "/l2"); fs.renameSync(ws + "/l2", ws + "/race-w.txt"); } catch {}
           try { fs.writeFileSync(ws + "/f2", "inside\\n"); fs.renameSync(ws + "/f2", ws + "/race-w.txt"); } catch {}
           try { fs.symlinkSync(out, ws + "/l3"); fs.renameSync(ws + "/l3", ws + "/racedir"); } catch {}
           try { fs.rmSync(ws + "/d3", { recursive: true, force: true }); fs.mkdirSync(ws + "/d3"); fs.writeFileSync(ws + "/d3/secret.txt", "inside\\n"); fs.rmSync(ws + "/racedir", { recursive: true, force: true }); fs.renameSync(ws + "/d3", ws + "/racedir"); } catch {}
         }`,
        ws,
        outside,
      ],
      { stdio: "ignore" },
    );
    writeFileSync(`${outside}/target.txt`, "untouched\n");
    try {
      // Start once the swapping is under way.
      for (let i = 0; i < 500 && !existsSync(`${ws}/racedir`); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const outcomes = { read: 0, refused: 0 };
      for (let i = 0; i < 150; i++) {
        for (const p of [`${ws}/race.txt`, `${ws}/racedir/secret.txt`]) {
          try {
            const text = await read(p);
            expect(text).not.toContain("TOP SECRET");
            outcomes.read += 1;
          } catch (error) {
            if (!(error instanceof PathRefusedError || error instanceof NotFoundError)) throw error;
            outcomes.refused += 1;
          }
        }
        await write(`${ws}/race-w.txt`, `write ${i}\n`).catch((error: unknown) => {
          if (!(error instanceof PathRefusedError || error instanceof NotFoundError)) throw error;
        });
      }
      expect(readFileSync(`${outside}/secret.txt`, "utf8")).toBe("TOP SECRET\n");
      expect(readFileSync(`${outside}/target.txt`, "utf8")).toBe("untouched\n");
      // The attack really raced: both outcomes happened.
      expect(outcomes.read).toBeGreaterThan(0);
      expect(outcomes.refused).toBeGreaterThan(0);
    } finally {
      swapper.kill("SIGKILL");
      await new Promise((resolve) => swapper.once("exit", resolve));
    }
  });
});
