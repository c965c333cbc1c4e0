// Content-addressed file objects: one file per sha256, written through a temp file and renamed, never rewritten.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import path from "node:path";

export type ObjectState = "ok" | "missing" | "corrupt";

/** Files up to this size are read whole; larger ones are copied in chunks while hashed. */
const WHOLE = 8 << 20;

export class ObjectStore {
  constructor(readonly dir: string) {}

  path(hash: string): string {
    return path.join(this.dir, hash.slice(0, 2), hash.slice(2));
  }

  has(hash: string): boolean {
    return existsSync(this.path(hash));
  }

  /** A temp name beside the objects (same filesystem, so the rename is atomic). */
  #temp(): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return path.join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
  }

  /** Moves a finished temp file to its object name; one already there wins (same content). */
  #land(temp: string, hash: string): boolean {
    const final = this.path(hash);
    if (existsSync(final)) {
      unlinkSync(temp);
      touch(final);
      return false;
    }
    mkdirSync(path.dirname(final), { recursive: true, mode: 0o700 });
    renameSync(temp, final);
    return true;
  }

  /**
   * Stores the content of `file` and returns its hash, its size and the bytes this added to the store (0 when the
   * object was there already). Reads once: small files whole, large ones in chunks copied as they are hashed.
   */
  putFile(file: string, size: number): { hash: string; size: number; added: number } {
    if (size <= WHOLE) {
      const data = readFileSync(file);
      const hash = createHash("sha256").update(data).digest("hex");
      if (this.has(hash)) {
        touch(this.path(hash));
        return { hash, size: data.length, added: 0 };
      }
      const temp = this.#temp();
      writeWhole(temp, [data]);
      return { hash, size: data.length, added: this.#land(temp, hash) ? data.length : 0 };
    }
    const temp = this.#temp();
    const hasher = createHash("sha256");
    let total = 0;
    const input = openSync(file, "r");
    try {
      const out = openSync(temp, "wx", 0o600);
      try {
        const buffer = Buffer.alloc(1 << 20);
        for (let n; (n = readSync(input, buffer, 0, buffer.length, null)) > 0; ) {
          hasher.update(buffer.subarray(0, n));
          writeFully(out, buffer.subarray(0, n));
          total += n;
        }
      } finally {
        closeSync(out);
      }
    } catch (error) {
      removeQuietly(temp);
      throw error;
    } finally {
      closeSync(input);
    }
    const hash = hasher.digest("hex");
    return { hash, size: total, added: this.#land(temp, hash) ? total : 0 };
  }

  /** Stores `data` (named by its sha256) unless it is there already; says how many bytes that added. */
  putBuffer(data: Buffer): { hash: string; added: number } {
    const hash = createHash("sha256").update(data).digest("hex");
    if (this.has(hash)) {
      touch(this.path(hash));
      return { hash, added: 0 };
    }
    const temp = this.#temp();
    writeWhole(temp, [data]);
    return { hash, added: this.#land(temp, hash) ? data.length : 0 };
  }

  read(hash: string): Buffer {
    return readFileSync(this.path(hash));
  }

  /** Whether the object is there with the content its name says. */
  verify(hash: string): ObjectState {
    let data: Buffer;
    try {
      data = this.read(hash);
    } catch {
      return "missing";
    }
    return createHash("sha256").update(data).digest("hex") === hash ? "ok" : "corrupt";
  }

  size(hash: string): number {
    try {
      return statSync(this.path(hash)).size;
    } catch {
      return 0;
    }
  }
}

/** Marks an object as just used: a prune running at the same time leaves recent objects alone. */
function touch(file: string): void {
  const now = new Date();
  try {
    utimesSync(file, now, now);
  } catch {
    // gone meanwhile: the next checkpoint stores it again
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/** The one place checkpoint bytes reach the disk: a full disk surfaces here as ENOSPC. */
function writeFully(fd: number, data: Uint8Array): void {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
}

/**
 * Writes `chunks` to a new file `file` (exclusive); removes it again when the write fails. Not fsynced: what it
 * guards against is a bridge killed mid-write (the kernel keeps what was written), not a power cut.
 */
export function writeWhole(file: string, chunks: readonly Uint8Array[], mode = 0o600): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, "wx", mode);
    for (const chunk of chunks) writeFully(fd, chunk);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    removeQuietly(file);
    throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
