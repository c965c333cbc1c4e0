// sha256 of a file's content, and a small pool that bounds how many run at once.
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

/** Runs `work` over `items` with at most `limit` at a time; the first failure rejects. */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
}
