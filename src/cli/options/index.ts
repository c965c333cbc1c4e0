// Every option group, in the order help lists them. Each concern owns its own group file.
import { CHECKPOINT_OPTIONS } from "./checkpoints.js";
import { CORE_OPTIONS, GLOBAL_OPTIONS, RUN_OPTIONS } from "./core.js";
import { POLICY_OPTIONS } from "./policy.js";
import { SANDBOX_OPTIONS } from "./sandbox.js";
import { SYNC_OPTIONS } from "./sync.js";
import type { Command, OptionSpec } from "./types.js";

export const OPTION_GROUPS: ReadonlyArray<{ readonly title: string; readonly options: readonly OptionSpec[] }> = [
  { title: "Run options", options: RUN_OPTIONS },
  { title: "Bridge options", options: CORE_OPTIONS },
  { title: "Sandbox options", options: SANDBOX_OPTIONS },
  { title: "Policy options", options: POLICY_OPTIONS },
  { title: "Sync options (copy mode)", options: SYNC_OPTIONS },
  { title: "Checkpoint options", options: CHECKPOINT_OPTIONS },
  { title: "", options: GLOBAL_OPTIONS },
];

export function optionsFor(command: Command): OptionSpec[] {
  return OPTION_GROUPS.flatMap((group) => group.options).filter((option) => option.commands.includes(command));
}

export type { Command, OptionSpec } from "./types.js";
