// `--trace FILE`: every message both ways, one JSON line each, secrets redacted.
import { createWriteStream, type WriteStream } from "node:fs";
import { redact } from "../src/log/redact.js";
import type { JsonObject } from "./wire.js";

export type TraceDirection = "editor->bridge" | "bridge->editor" | "agent->bridge" | "bridge->agent";

export interface Tracer {
  record(direction: TraceDirection, message: JsonObject): void;
  close(): Promise<void>;
}

export const noTrace: Tracer = { record: () => {}, close: async () => {} };

export function openTrace(file: string, knownSecrets: readonly string[]): Tracer {
  const out: WriteStream = createWriteStream(file, { flags: "w", mode: 0o600 });
  const start = Date.now();
  let failed = false;
  out.on("error", () => {
    failed = true;
  });
  return {
    record(direction, message) {
      if (failed) return;
      out.write(JSON.stringify({ t: Date.now() - start, dir: direction, msg: redact(message, knownSecrets) }) + "\n");
    },
    close: () => new Promise((resolve) => out.end(() => resolve())),
  };
}
