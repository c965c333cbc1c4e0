// Options of the permission policy (the ToolHost owns their meaning).
import type { OptionSpec } from "./types.js";

export const POLICY_OPTIONS: readonly OptionSpec[] = [
  { name: "approve", type: "string", choices: ["none", "reads", "all"], description: "headless runs: what a pending permission becomes", default: "reads", commands: ["run", "demo"] },
];
