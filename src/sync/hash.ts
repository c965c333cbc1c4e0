// sha256 of a file's content, streamed for large files.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";

const SMALL = 1 << 20;

export async function hashFile(file: string, size: number): Promise<string> {
  if (size <= SMALL) return createHash("sha256").update(await readFile(file)).digest("hex");
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export function hashBuffer(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
