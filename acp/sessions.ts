// The session table: which sessions exist, where they work, and what lives and dies with them.
import type { SessionRoots } from "../toolhost/roots.js";

export interface SessionEntry extends SessionRoots {
  readonly sessionId: string;
  /** Run when the session ends or the bridge stops (terminals, prompts). */
  readonly cleanups: Array<() => Promise<void> | void>;
}

export class SessionTable {
  readonly #sessions = new Map<string, SessionEntry>();

  register(sessionId: string, roots: SessionRoots): SessionEntry {
    const existing = this.#sessions.get(sessionId);
    const entry: SessionEntry = { sessionId, cwd: roots.cwd, additionalDirectories: roots.additionalDirectories, cleanups: existing?.cleanups ?? [] };
    this.#sessions.set(sessionId, entry);
    return entry;
  }

  get(sessionId: string): SessionEntry | undefined {
    return this.#sessions.get(sessionId);
  }

  all(): SessionEntry[] {
    return [...this.#sessions.values()];
  }

  async close(sessionId: string): Promise<void> {
    const entry = this.#sessions.get(sessionId);
    if (!entry) return;
    this.#sessions.delete(sessionId);
    await Promise.allSettled(entry.cleanups.map(async (cleanup) => cleanup()));
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.#sessions.keys()].map((id) => this.close(id)));
  }
}
