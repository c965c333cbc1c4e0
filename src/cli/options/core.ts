// The bridge's own options: workspace, sandbox choice, logging, tracing, timing.
import type { OptionSpec } from "./types.js";

const SESSION: OptionSpec["commands"] = ["bridge", "run", "demo"];

export const CORE_OPTIONS: readonly OptionSpec[] = [
  { name: "workspace", short: "w", type: "string", placeholder: "DIR", description: "the directory the agent works in", default: "the current directory", commands: [...SESSION, "sync"] },
  { name: "workspace", short: "w", type: "string", placeholder: "DIR", description: "only the sandboxes of this workspace", default: "every workspace", commands: ["ls", "prune"] },
  { name: "sandbox", short: "s", type: "string", choices: ["auto", "local", "bwrap", "docker"], description: "where the agent runs; auto picks the strongest that works here", default: "auto", commands: SESSION },
  { name: "log-level", type: "string", choices: ["silent", "error", "warn", "info", "debug"], description: "how much to say on stderr", default: "info", commands: ["bridge", "run", "demo", "doctor", "ls", "prune", "sync", "checkpoints", "rollback"] },
  { name: "trace", type: "string", placeholder: "FILE", description: "record every protocol message both ways (secrets redacted)", commands: SESSION },
  { name: "grace", type: "string", integer: true, placeholder: "MS", description: "how long the agent gets to exit after SIGTERM before SIGKILL", default: "2000", commands: SESSION },
  { name: "max-message-bytes", type: "string", integer: true, placeholder: "N", description: "the largest protocol line accepted from either side", default: String(64 * 1024 * 1024), commands: SESSION },
];

export const RUN_OPTIONS: readonly OptionSpec[] = [
  { name: "prompt", short: "p", type: "string", placeholder: "TEXT", description: "the prompt to send (else --prompt-file, else stdin)", commands: ["run"] },
  { name: "prompt-file", type: "string", placeholder: "FILE", description: "read the prompt from FILE", commands: ["run"] },
  { name: "json", type: "boolean", description: "print one JSON object per line instead of text", commands: ["run", "demo"] },
  { name: "timeout", type: "string", integer: true, placeholder: "SECONDS", description: "cancel the turn after this long (0: never)", default: "0", commands: ["run"] },
];

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: "help", short: "h", type: "boolean", description: "show this help", commands: ["bridge", "run", "demo", "doctor", "ls", "prune", "sync", "checkpoints", "rollback"] },
  { name: "version", short: "V", type: "boolean", description: "print the version", commands: ["bridge"] },
];
