// Decides each operation, asks the editor when the decision is pending, remembers always-answers, logs every decision.
import type { Logger } from "../src/log/logger.js";
import type { JsonObject, JsonValue } from "../src/util/json.js";
import { PolicyDeniedError, PromptCancelledError } from "./errors.js";
import { decide, type Decision, isAllowed } from "../src/policy/decide.js";
import { decisionLine, describeDecision } from "../src/policy/log.js";
import type { RememberedAnswers } from "../src/policy/remember.js";
import { type CompiledRule, describeOrigin, type Subject } from "../src/policy/rules.js";
import { type AnsweredAct, AnsweredActs, type ActKey } from "./answered.js";
import { permissionRequest, type PromptSpec, readAnswer } from "./prompt.js";

/** Sends session/request_permission to the editor: the result, or an error message. Aborting `signal` withdraws it. */
export type AskEditor = (params: JsonObject, signal: AbortSignal) => Promise<{ result: JsonValue } | { error: { message: string } }>;

interface OpenPrompt {
  cancel(): void;
}

export interface CheckRequest {
  readonly sessionId: string;
  readonly subject: Subject;
  /** How the operation reads in logs and errors: `write /ws/a.txt`. */
  readonly what: string;
  /** The prompt to show when the decision is pending. */
  readonly prompt: () => Omit<PromptSpec, "sessionId" | "toolCallId">;
  readonly protectedPattern?: string | undefined;
  /** The agent's request was cancelled ($/cancel_request) or the agent went away: the prompt is cancelled too. */
  readonly signal?: AbortSignal | undefined;
  /** What ties the operation to the agent's own permission request for the same tool call (then it is not asked again). */
  readonly act?: ActKey | undefined;
}

export class Permissions {
  readonly #open = new Map<string, Set<OpenPrompt>>();
  /** The agent's own permission requests answered in the current turn. */
  readonly answered = new AnsweredActs();
  #nextPrompt = 1;

  constructor(
    private readonly rules: readonly CompiledRule[],
    private readonly remembered: RememberedAnswers,
    private readonly ask: AskEditor,
    private readonly log: Logger,
    private readonly home: string,
  ) {}

  /** The policy's decision alone (no prompt). */
  decide(sessionId: string, subject: Subject, protectedPattern?: string): Decision {
    return decide(subject, { rules: this.rules, remembered: this.remembered.rulesFor(sessionId), protectedPattern });
  }

  /** A refusal decided elsewhere (a line's write to a denied or protected file): logged, then thrown. */
  refuse(what: string, decision: Decision): never {
    this.#log(what, decision);
    throw this.#denied(what, decision);
  }

  /** Decides, asking the editor if need be; resolves when allowed, throws PolicyDeniedError or PromptCancelledError. */
  async require(request: CheckRequest): Promise<Decision> {
    const first = this.decide(request.sessionId, request.subject, request.protectedPattern);
    if (first.decision !== "pending") {
      this.#log(request.what, first);
      if (!isAllowed(first.decision)) throw this.#denied(request.what, first);
      return first;
    }
    const earlier: AnsweredAct | undefined = request.act ? this.answered.take(request.sessionId, request.act) : undefined;
    if (earlier) {
      // One prompt per act: the agent already asked about this tool call and got its answer.
      const answer: Decision = { decision: earlier.allowed ? "allow-once" : "reject-once", origin: { kind: "editor", label: `its answer to the agent's own request "${earlier.title}" for this tool call` } };
      this.log.info(`policy: ${request.what}: pending (${describeDecision(first, this.home)}) → ${answer.decision} (${describeOrigin(answer.origin, this.home)}; not asked again)`);
      if (!earlier.allowed) throw this.#denied(request.what, answer);
      return answer;
    }
    const answer = await this.#prompt(request);
    this.log.info(`policy: ${request.what}: pending (${describeDecision(first, this.home)}) → ${answer.decision} (${describeOrigin(answer.origin, this.home)})`);
    if (answer.decision === "allow-always") this.remembered.remember(request.sessionId, request.subject, "allow");
    if (answer.decision === "reject-always") this.remembered.remember(request.sessionId, request.subject, "deny");
    if (!isAllowed(answer.decision)) throw this.#denied(request.what, answer);
    return answer;
  }

  /**
   * Runs `wait` (a prompt to the editor) so that cancelling the session's turn settles it at once with
   * `cancelled`, whatever the editor does later.
   */
  async cancellable<T>(sessionId: string, wait: Promise<T>, cancelled: () => T, signal?: AbortSignal): Promise<T> {
    let settle!: (value: T) => void;
    const early = new Promise<T>((resolve) => (settle = resolve));
    const entry: OpenPrompt = { cancel: () => settle(cancelled()) };
    const set = this.#open.get(sessionId) ?? new Set<OpenPrompt>();
    set.add(entry);
    this.#open.set(sessionId, set);
    signal?.addEventListener("abort", entry.cancel, { once: true });
    if (signal?.aborted) entry.cancel();
    try {
      return await Promise.race([wait, early]);
    } finally {
      signal?.removeEventListener("abort", entry.cancel);
      set.delete(entry);
      if (set.size === 0) this.#open.delete(sessionId);
    }
  }

  /** session/cancel, session end, shutdown: every open prompt of the session is answered `cancelled`. */
  cancelSession(sessionId: string): number {
    const set = this.#open.get(sessionId);
    if (!set) return 0;
    const open = [...set];
    for (const prompt of open) prompt.cancel();
    return open.length;
  }

  cancelAll(): void {
    for (const sessionId of [...this.#open.keys()]) this.cancelSession(sessionId);
  }

  async #prompt(request: CheckRequest): Promise<Decision> {
    const spec: PromptSpec = { ...request.prompt(), sessionId: request.sessionId, toolCallId: `acp-sandbox-${this.#nextPrompt++}` };
    const params = permissionRequest(spec);
    type Outcome = Decision | "cancelled";
    // However the prompt ends early (session/cancel, the agent's $/cancel_request, shutdown), the editor
    // is told to take it down.
    const withdraw = new AbortController();
    const outcome = await this.cancellable<Outcome>(
      request.sessionId,
      this.ask(params, withdraw.signal).then((reply): Outcome => {
        if ("error" in reply) return { decision: "reject-once", origin: { kind: "editor", label: `it answered with an error: ${reply.error.message}` } };
        const answer = readAnswer(reply.result);
        if (answer === "cancelled") return "cancelled";
        if (typeof answer === "object") return { decision: "reject-once", origin: { kind: "editor", label: answer.invalid } };
        return { decision: answer, origin: { kind: "editor", label: answer.replace("-", " ") } };
      }),
      () => {
        withdraw.abort();
        return "cancelled";
      },
      request.signal,
    );
    if (outcome === "cancelled") {
      this.log.info(`policy: ${request.what}: pending → cancelled (the turn was cancelled)`);
      throw new PromptCancelledError(`acp-sandbox: ${request.what}: the permission prompt was cancelled`, { reason: "cancelled" });
    }
    return outcome;
  }

  /** Routine allowances by default (reads) at debug level, so a busy agent does not flood stderr; the rest at info. */
  #log(what: string, decision: Decision): void {
    const line = decisionLine(what, decision, this.home);
    if (decision.origin.kind === "default" && isAllowed(decision.decision)) this.log.debug(line);
    else this.log.info(line);
  }

  #denied(what: string, decision: Decision): PolicyDeniedError {
    return new PolicyDeniedError(`acp-sandbox: ${what} refused by ${describeDecision(decision, this.home)}`, {
      reason: "policy",
      decision: decision.decision,
      rule: decision.origin.label,
      source: decision.origin.file ?? decision.origin.kind,
    });
  }
}
