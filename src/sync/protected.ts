// Paths that could run code on the host later: they travel into the runtime but never come back from it.
// The list is the ToolHost's (one list for writes by the agent and for sync), judged on workspace-relative paths.
import { protectedPattern } from "../policy/protected.js";

const ROOT = "/workspace";

/** The protected pattern `rel` falls under, or undefined. */
export function protectedBy(rel: string): string | undefined {
  return protectedPattern(ROOT, `${ROOT}/${rel}`);
}
