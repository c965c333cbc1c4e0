// The tar writer: what it writes reads back the same through an independent reader (tar-stream).
import { Readable } from "node:stream";
import tar from "tar-stream";
import { expect, it } from "vitest";
import { END, headerBlocks, padding, type TarHeader } from "../../src/sync/tar-writer.js";

async function readBack(chunks: Buffer[]): Promise<Array<{ name: string; type: string; mode: number; size: number; uid: number; linkname: string | null; body: string; mtime: number }>> {
  const extract = tar.extract();
  Readable.from(chunks).pipe(extract);
  const out = [];
  for await (const entry of extract) {
    const body: Buffer[] = [];
    for await (const chunk of entry as unknown as AsyncIterable<Buffer>) body.push(chunk);
    const h = entry.header;
    out.push({ name: h.name, type: h.type, mode: h.mode, size: h.size, uid: h.uid, linkname: h.linkname ?? null, body: Buffer.concat(body).toString("utf8"), mtime: h.mtime.getTime() });
  }
  return out;
}

it("writes files, directories and links, long and non-ASCII names and targets included", async () => {
  const longName = `${"d".repeat(80)}/${"f".repeat(90)}.txt`;
  const longTarget = `../${"t".repeat(120)}`;
  const entries: Array<[TarHeader, string]> = [
    [{ name: "dir/", type: "directory", size: 0, mode: 0o750, mtime: 1_700_000_000_000, uid: 1234, gid: 1234 }, ""],
    [{ name: "dir/a.txt", type: "file", size: 6, mode: 0o644, mtime: 1_700_000_001_999, uid: 1234, gid: 1234 }, "hello\n"],
    [{ name: longName, type: "file", size: 4, mode: 0o755, mtime: 0, uid: 0, gid: 0 }, "long"],
    [{ name: "héllo wörld.md", type: "file", size: 3, mode: 0o600, mtime: 0, uid: 0, gid: 0 }, "ünï".slice(0, 1) + "ab"],
    [{ name: "link", type: "symlink", size: 0, mode: 0o777, mtime: 0, uid: 0, gid: 0, linkname: "dir/a.txt" }, ""],
    [{ name: "far-link", type: "symlink", size: 0, mode: 0o777, mtime: 0, uid: 0, gid: 0, linkname: longTarget }, ""],
  ];
  const chunks: Buffer[] = [];
  for (const [header, body] of entries) {
    const data = Buffer.from(body);
    chunks.push(...headerBlocks({ ...header, size: data.length }), data, padding(data.length));
  }
  chunks.push(END);
  const back = await readBack(chunks);
  expect(back.map((e) => [e.name, e.type, e.mode, e.body, e.linkname ?? ""])).toEqual([
    ["dir/", "directory", 0o750, "", ""],
    ["dir/a.txt", "file", 0o644, "hello\n", ""],
    [longName, "file", 0o755, "long", ""],
    ["héllo wörld.md", "file", 0o600, "üab", ""],
    ["link", "symlink", 0o777, "", "dir/a.txt"],
    ["far-link", "symlink", 0o777, "", longTarget],
  ]);
  expect(back[1]?.uid).toBe(1234);
  expect(back[1]?.mtime).toBe(1_700_000_001_000);
});
