// The terminals of every session: ids, the cap on open terminals, release, and cleanup when sessions or the bridge end.
import type { Sandbox, ProcessSpec } from "../../src/sandbox/types.js";
import { TerminalLimitError, UnknownIdError } from "../errors.js";
import { Terminal } from "./terminal.js";

interface Entry {
  readonly sessionId: string;
  /** Undefined while the process is starting. */
  readonly terminal: Terminal | undefined;
}

export interface TerminalLimits {
  readonly maxTerminals: number;
  readonly graceMs: number;
}

export class TerminalManager {
  readonly #terminals = new Map<string, Entry>();
  #next = 1;

  constructor(private readonly limits: TerminalLimits) {}

  get graceMs(): number {
    return this.limits.graceMs;
  }

  get open(): number {
    return this.#terminals.size;
  }

  async create(sessionId: string, sandbox: Sandbox, spec: ProcessSpec, outputLimit: number, onFallback: (reason: string) => void): Promise<{ terminalId: string; terminal: Terminal }> {
    if (this.#terminals.size >= this.limits.maxTerminals) {
      throw new TerminalLimitError(`acp-sandbox: too many terminals (${this.#terminals.size} open, the limit is ${this.limits.maxTerminals}); release one first, or raise --max-terminals`, {
        limit: this.limits.maxTerminals,
      });
    }
    const terminalId = `term-${this.#next++}`;
    // Reserve the slot while the process starts, so parallel creates cannot overshoot the cap.
    const starting = Terminal.start(sandbox, spec, outputLimit, onFallback);
    const placeholder: Entry = { sessionId, terminal: undefined };
    this.#terminals.set(terminalId, placeholder);
    try {
      const terminal = await starting;
      if (this.#terminals.get(terminalId) !== placeholder) {
        // Released (session ended) while it started.
        await terminal.kill(this.limits.graceMs);
        throw new UnknownIdError(`acp-sandbox: terminal ${terminalId} was released while it started`, { terminalId });
      }
      this.#terminals.set(terminalId, { sessionId, terminal });
      return { terminalId, terminal };
    } catch (error) {
      if (this.#terminals.get(terminalId) === placeholder) this.#terminals.delete(terminalId);
      throw error;
    }
  }

  /** The terminal, checked to belong to the session; resourceNotFound otherwise. */
  get(sessionId: string, terminalId: unknown): Terminal {
    const entry = typeof terminalId === "string" ? this.#terminals.get(terminalId) : undefined;
    if (!entry || !entry.terminal || entry.sessionId !== sessionId) {
      throw new UnknownIdError(`acp-sandbox: unknown terminal ${JSON.stringify(terminalId)} in session ${sessionId} (never created, or released)`, {
        terminalId: typeof terminalId === "string" ? terminalId : null,
      });
    }
    return entry.terminal;
  }

  /** Kills the command if it still runs (and its children), then forgets the terminal. */
  async release(sessionId: string, terminalId: unknown): Promise<void> {
    const terminal = this.get(sessionId, terminalId);
    this.#terminals.delete(terminalId as string);
    await terminal.kill(this.limits.graceMs);
  }

  async releaseSession(sessionId: string): Promise<void> {
    const mine = [...this.#terminals.entries()].filter(([, e]) => e.sessionId === sessionId);
    for (const [id] of mine) this.#terminals.delete(id);
    await Promise.allSettled(mine.map(([, e]) => e.terminal?.kill(this.limits.graceMs)));
  }

  async releaseAll(): Promise<void> {
    const all = [...this.#terminals.values()];
    this.#terminals.clear();
    await Promise.allSettled(all.map((e) => e.terminal?.kill(this.limits.graceMs)));
  }
}
