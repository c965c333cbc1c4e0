// Keeps what the last sync left equal on both sides, on the host, per workspace and runtime, written atomically.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Baseline, BaselineEntry } from "./types.js";

interface BaselineFile {
  readonly version: 1;
  readonly workspace: string;
  readonly runtime: string;
  readonly updated: string;
  readonly entries: Record<string, BaselineEntry>;
}

/** `$XDG_STATE_HOME/acp-sandbox` (or `~/.local/state/acp-sandbox`). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env["XDG_STATE_HOME"] || path.join(env["HOME"] || os.homedir(), ".local", "state");
  return path.join(base, "acp-sandbox");
}

export class BaselineStore {
  readonly file: string;

  constructor(
    stateDir: string,
    readonly workspace: string,
    readonly runtimeId: string,
  ) {
    const key = createHash("sha256").update(`${workspace}\0${runtimeId}`).digest("hex").slice(0, 24);
    this.file = path.join(stateDir, "sync", `${key}.json`);
  }

  /** The saved baseline; empty when there is none yet (or it belongs to something else). */
  async load(): Promise<Baseline> {
    let parsed: BaselineFile;
    try {
      parsed = JSON.parse(await readFile(this.file, "utf8")) as BaselineFile;
    } catch {
      return new Map();
    }
    if (parsed.version !== 1 || parsed.workspace !== this.workspace || parsed.runtime !== this.runtimeId) return new Map();
    return new Map(Object.entries(parsed.entries));
  }

  async save(baseline: Baseline): Promise<void> {
    const body: BaselineFile = {
      version: 1,
      workspace: this.workspace,
      runtime: this.runtimeId,
      updated: new Date().toISOString(),
      entries: Object.fromEntries(baseline),
    };
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(temp, JSON.stringify(body), { mode: 0o600 });
    await rename(temp, this.file);
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
