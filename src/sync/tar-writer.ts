// A small ustar writer (PAX records for long or non-ASCII names): a header, the bytes, the padding.
// Written here because a general tar library costs far more per entry than the copy itself on 10,000 small files.

const BLOCK = 512;

export interface TarHeader {
  readonly name: string;
  readonly type: "file" | "directory" | "symlink" | "pax";
  readonly size: number;
  readonly mode: number;
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkname?: string;
}

const TYPEFLAG = { file: "0", directory: "5", symlink: "2", pax: "x" } as const;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function fits(text: string, bytes: number): boolean {
  return Buffer.byteLength(text) <= bytes && /^[\x20-\x7e]*$/.test(text);
}

function block(header: TarHeader): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(header.name, 0, 100, "utf8");
  b.write(octal(header.mode & 0o7777, 8), 100);
  b.write(octal(header.uid, 8), 108);
  b.write(octal(header.gid, 8), 116);
  b.write(octal(header.size, 12), 124);
  b.write(octal(Math.floor(header.mtime / 1000), 12), 136);
  b.write("        ", 148);
  b.write(TYPEFLAG[header.type], 156);
  if (header.linkname) b.write(header.linkname, 157, 100, "utf8");
  b.write("ustar\0", 257);
  b.write("00", 263);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return b;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

/** Zero bytes that pad `size` up to a whole block. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The header block(s) of one entry: a PAX record first when the name or link target does not fit ustar. */
export function headerBlocks(header: TarHeader): Buffer[] {
  const records = [
    ...(fits(header.name, 100) ? [] : [paxRecord("path", header.name)]),
    ...(header.linkname === undefined || fits(header.linkname, 100) ? [] : [paxRecord("linkpath", header.linkname)]),
  ];
  const main = block({ ...header, name: fits(header.name, 100) ? header.name : "././@PaxHeader-long-name", ...(header.linkname !== undefined && !fits(header.linkname, 100) ? { linkname: "" } : {}) });
  if (records.length === 0) return [main];
  const pax = Buffer.from(records.join(""));
  return [block({ name: "././@PaxHeader", type: "pax", size: pax.length, mode: 0o644, mtime: header.mtime, uid: header.uid, gid: header.gid }), pax, padding(pax.length), main];
}

/** The end of an archive: two zero blocks. */
export const END = Buffer.alloc(BLOCK * 2);
