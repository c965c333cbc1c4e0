// Options of workspace sync: how the workspace reaches the sandbox (bind or copy), and when copies travel back.
import type { OptionSpec } from "./types.js";

const SESSION: OptionSpec["commands"] = ["bridge", "run", "demo"];

export const SYNC_OPTIONS: readonly OptionSpec[] = [
  {
    name: "mount",
    type: "string",
    choices: ["bind", "copy"],
    description: "docker: bind-mount the workspace, or give the agent its own copy that syncs back",
    default: "bind; copy on a remote DOCKER_HOST",
    commands: SESSION,
  },
  {
    name: "sync",
    type: "string",
    choices: ["none", "session", "turn"],
    description: "copy mode: bring changes back at session end (session), after every turn too (turn), or only via `acp-sandbox sync` (none)",
    default: "session",
    commands: SESSION,
  },
  { name: "sync-exclude", type: "string", multiple: true, placeholder: "PATTERN", description: "copy mode: also leave these paths out (gitignore syntax)", commands: [...SESSION, "sync"] },
];
