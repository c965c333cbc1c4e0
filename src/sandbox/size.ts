// Sizes as people write them (`512m`, `2g`, bytes), for --memory and the config file's limits.
import { UsageError } from "../errors.js";

export const sizePattern = /^(\d+(?:\.\d+)?)([kmgt]?)b?$/i;

/** `512m`, `2g`, `1073741824` → bytes; at least `min` (64 MiB unless said). */
export function parseSize(value: string, flag: string, min = 64 * 1024 ** 2): number {
  const m = sizePattern.exec(value.trim());
  if (!m) throw new UsageError(`Expected ${flag} to be a size like 512m or 2g, got \`${value}\``);
  const scale = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g" | "t"];
  const bytes = Math.round(Number(m[1]) * scale);
  if (bytes < min) throw new UsageError(`Expected ${flag} to be at least ${min >= 1024 ** 2 ? `${min / 1024 ** 2}m` : min}, got \`${value}\``);
  return bytes;
}
