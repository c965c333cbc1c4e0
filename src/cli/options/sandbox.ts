// Options of the sandbox itself: isolation, environment and secrets, extra directories, network, limits, Docker.
import type { OptionSpec } from "./types.js";

const SESSION: OptionSpec["commands"] = ["bridge", "run", "demo"];

export const SANDBOX_OPTIONS: readonly OptionSpec[] = [
  { name: "require-isolation", type: "boolean", description: "refuse to start unless the sandbox hides the host (never fall back to local)", commands: SESSION },
  { name: "network", type: "string", choices: ["none", "allow", "open"], description: "none: no network; allow: only the preset's hosts and --allow-host ones, through the bridge's proxy; open: the host's whole network", default: "allow for a known agent, else none", commands: SESSION },
  { name: "allow-host", type: "string", multiple: true, placeholder: "PATTERN", description: "with --network allow, also reach PATTERN: example.com, *.example.com, 203.0.113.7, each with an optional :port", commands: SESSION },
  { name: "deny-host", type: "string", multiple: true, placeholder: "PATTERN", description: "with --network allow, never reach PATTERN (wins over every allow)", commands: SESSION },
  { name: "credentials", type: "string", choices: ["gateway", "env"], description: "gateway: a preset's API key stays on the host and the bridge adds it to requests; env: the key is in the agent's environment", default: "gateway with --network allow, else env", commands: SESSION },
  { name: "preset", type: "string", choices: ["auto", "none", "claude", "codex", "gemini"], description: "pass the variables a known agent needs (auto: recognise it from the command)", default: "auto", commands: SESSION },
  { name: "pass-env", type: "string", multiple: true, placeholder: "NAME", description: "pass this variable into the sandbox by name, even a secret the blocklist would drop", commands: SESSION },
  { name: "allow-env", type: "string", multiple: true, placeholder: "NAME", description: "also copy variables matching NAME (globs like MY_*) unless the blocklist drops them", commands: SESSION },
  { name: "ro", type: "string", multiple: true, placeholder: "DIR", description: "show DIR inside the sandbox read-only, at the same path", commands: SESSION },
  { name: "rw", type: "string", multiple: true, placeholder: "DIR", description: "show DIR inside the sandbox read-write, at the same path", commands: SESSION },
  { name: "memory", type: "string", placeholder: "SIZE", description: "bwrap/docker: memory limit of the whole sandbox, e.g. 512m or 2g (bwrap: needs a writable cgroup, see doctor)", default: "4g", commands: SESSION },
  { name: "pids", type: "string", integer: true, placeholder: "N", description: "bwrap/docker: the most processes and threads at once (gVisor's own threads count too)", default: "1024; 4096 with --docker-runtime runsc", commands: SESSION },
  { name: "tmp-size", type: "string", placeholder: "SIZE", description: "bwrap/docker: size of the sandbox's /tmp, a tmpfs, e.g. 256m (bwrap: needs root)", default: "1g", commands: SESSION },
  { name: "cpus", type: "string", placeholder: "N", description: "docker: CPU limit, e.g. 1.5", default: "no limit", commands: SESSION },
  { name: "image", type: "string", placeholder: "IMAGE", description: "docker: the image to run (pulled when missing)", default: "a local image built from this machine's node", commands: SESSION },
  { name: "docker-runtime", type: "string", placeholder: "NAME", description: "docker: the OCI runtime, e.g. runsc for gVisor", default: "the daemon's default", commands: [...SESSION, "doctor"] },
  { name: "agent-state", type: "string", placeholder: "DIR|none", description: "bwrap/docker: the agent's own state (history, login), mounted as its config dir (~/.claude, ~/.codex, ~/.gemini); none: a fresh one each session", default: "$XDG_STATE_HOME/acp-sandbox/agents/<agent>", commands: SESSION },
  { name: "state", type: "boolean", description: "prune: also remove the agents' state directories (their history and logins)", commands: ["prune"] },
  { name: "force", type: "boolean", description: "prune: also remove kept copy-mode containers (changes not synced back are lost)", commands: ["prune"] },
  { name: "persist", type: "string", choices: ["transient", "reuse"], description: "docker: remove the container at exit, or keep it and reuse it next time", default: "transient", commands: SESSION },
];
