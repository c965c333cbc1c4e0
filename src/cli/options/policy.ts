// Options of the permission policy (the ToolHost owns their meaning).
import type { OptionSpec } from "./types.js";

const SESSION: OptionSpec["commands"] = ["bridge", "run", "demo"];

export const POLICY_OPTIONS: readonly OptionSpec[] = [
  { name: "approve", type: "string", choices: ["none", "reads", "all"], description: "headless runs: what a pending permission becomes", default: "reads", commands: ["run", "demo"] },
  { name: "config", type: "string", placeholder: "FILE", description: "the configuration file to use", default: "$XDG_CONFIG_HOME/acp-sandbox/config.json", commands: SESSION },
  { name: "allow", type: "string", multiple: true, placeholder: "RULE", description: "allow an operation without asking, e.g. write:src/** or 'terminal:npm test'", commands: SESSION },
  { name: "ask", type: "string", multiple: true, placeholder: "RULE", description: "ask the editor before an operation, e.g. read:.env", commands: SESSION },
  { name: "deny", type: "string", multiple: true, placeholder: "RULE", description: "refuse an operation, e.g. 'terminal:git push*'; deny beats allow", commands: SESSION },
  { name: "remember", type: "boolean", description: "keep \"always\" answers for this workspace across sessions (in $XDG_STATE_HOME/acp-sandbox)", commands: SESSION },
  { name: "max-terminals", type: "string", integer: true, placeholder: "N", description: "how many terminals may be open at once", default: "32", commands: SESSION },
];
