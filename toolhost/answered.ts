// The agent's own permission requests answered this turn, so the fs/* or terminal/* operation that carries one out is not asked again.
import path from "node:path";

/** What identifies an act: the tool call's id when the agent gives one, else its paths (real host paths) or its command. */
export interface ActKey {
  readonly toolCallId?: string | undefined;
  readonly paths?: readonly string[];
  /** The commands the line runs, each as its words joined by spaces. */
  readonly commands?: readonly string[];
}

export interface AnsweredAct extends ActKey {
  readonly title: string;
  readonly allowed: boolean;
}

/** Each command with its program by basename, so `/usr/bin/git push` and `git push` are the same act. */
export function commandKey(words: readonly string[]): string {
  const [program = "", ...rest] = words;
  return [path.basename(program), ...rest].join(" ");
}

function sameAct(answered: AnsweredAct, act: ActKey): boolean {
  if (act.toolCallId !== undefined && answered.toolCallId !== undefined) return act.toolCallId === answered.toolCallId;
  if (act.paths && answered.paths) return act.paths.length > 0 && act.paths.every((p) => answered.paths!.includes(p));
  if (act.commands && answered.commands) return act.commands.length > 0 && act.commands.length === answered.commands.length && act.commands.every((c, i) => c === answered.commands![i]);
  return false;
}

export class AnsweredActs {
  readonly #bySession = new Map<string, AnsweredAct[]>();

  record(sessionId: string, act: AnsweredAct): void {
    const list = this.#bySession.get(sessionId) ?? [];
    list.push(act);
    this.#bySession.set(sessionId, list);
  }

  /** The answer given for this act, used up: one answer covers one operation. */
  take(sessionId: string, act: ActKey): AnsweredAct | undefined {
    const list = this.#bySession.get(sessionId);
    const index = list?.findIndex((a) => sameAct(a, act)) ?? -1;
    if (index === -1) return undefined;
    return list!.splice(index, 1)[0];
  }

  /** The turn ended (or was cancelled): answers do not carry over to the next. */
  endTurn(sessionId: string): void {
    this.#bySession.delete(sessionId);
  }
}
