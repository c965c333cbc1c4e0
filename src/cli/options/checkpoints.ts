// Options of checkpoints: turning them off for a session, listing them, rolling back.
import type { OptionSpec } from "./types.js";

const SESSION: OptionSpec["commands"] = ["bridge", "run", "demo"];

export const CHECKPOINT_OPTIONS: readonly OptionSpec[] = [
  {
    name: "checkpoints",
    type: "string",
    choices: ["on", "off"],
    description: "record the workspace before each turn, so `acp-sandbox rollback` (or /rollback) can undo it",
    default: "on; checkpoints.enabled in the config file",
    commands: SESSION,
  },
  { name: "workspace", short: "w", type: "string", placeholder: "DIR", description: "the workspace whose checkpoints to use", default: "the current directory", commands: ["checkpoints", "rollback"] },
  { name: "json", type: "boolean", description: "print JSON instead of text", commands: ["checkpoints", "rollback"] },
  { name: "to", type: "string", integer: true, placeholder: "ID", description: "the checkpoint to go back to (see `acp-sandbox checkpoints`)", default: "the one before the last turn", commands: ["rollback"] },
  { name: "dry-run", type: "boolean", description: "say what would change, change nothing", commands: ["rollback"] },
  {
    name: "force",
    type: "boolean",
    description: "also overwrite files someone else changed since the checkpoint, and cancel a turn running in the workspace",
    commands: ["rollback"],
  },
  { name: "config", type: "string", placeholder: "FILE", description: "the configuration file (checkpoints.keep, checkpoints.maxBytes)", default: "$XDG_CONFIG_HOME/acp-sandbox/config.json", commands: ["rollback"] },
];
