// The files a command line writes by name (`> file`, `tee file`), judged as writes: a `write` deny rule refuses the line.
import { type Decision, isAllowed } from "../src/policy/decide.js";
import { ToolHostError } from "./errors.js";
import { placeOf } from "./fs/place.js";
import type { SessionView, ToolHostState } from "./state.js";

/**
 * The refusal of the first write a deny rule refuses, or undefined. A target outside the allowed directories is left to
 * the sandbox (commands may write /tmp), and so are protected paths: a command's writes there meet the sandbox's
 * read-only mounts, the quarantine and copy mode's sync, which hold whether or not the agent asks.
 */
export async function refusedWrite(state: ToolHostState, session: SessionView, writes: readonly string[], cwd?: string): Promise<{ decision: Decision; what: string } | undefined> {
  for (const target of writes) {
    let place;
    try {
      place = await placeOf(state, session, target, cwd);
    } catch (error) {
      if (error instanceof ToolHostError) continue;
      throw error;
    }
    const decision = state.permissions.decide(session.sessionId, { op: "write", real: place.real });
    if (!isAllowed(decision.decision) && decision.decision !== "pending") return { decision, what: `write ${place.real}` };
  }
  return undefined;
}
