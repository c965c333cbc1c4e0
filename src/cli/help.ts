// Help text, generated from the option table so it never drifts from what the parser accepts.
import { type Command, OPTION_GROUPS, type OptionSpec } from "./options/index.js";

const USAGE: Record<Command, string> = {
  bridge: "acp-sandbox [options] -- <agent command> [agent args...]",
  run: "acp-sandbox run [options] (--prompt TEXT | --prompt-file FILE | < prompt) -- <agent command> [args...]",
  demo: "acp-sandbox demo [options]",
  doctor: "acp-sandbox doctor [options]",
  ls: "acp-sandbox ls [-w DIR]",
  prune: "acp-sandbox prune [-w DIR] [--force]",
  sync: "acp-sandbox sync [options]",
  checkpoints: "acp-sandbox checkpoints [-w DIR] [--json]",
  rollback: "acp-sandbox rollback [-w DIR] [--to ID] [--dry-run] [--force] [--json]",
};

const SUMMARY: Record<Command, string> = {
  bridge:
    "Speaks ACP on stdin/stdout like any agent, starts the real agent inside a sandbox, and relays between\n" +
    "the two while serving the agent's file, terminal and permission requests under your policy.",
  run: "Plays the editor itself: sends one prompt, prints what the agent does, exits with a status that says how it went.",
  demo: "Runs the bundled scripted agent on a scratch copy of a sample project, through the bridge, on the best sandbox here.",
  doctor: "Lists every sandbox backend, whether it works here, and what to do when it does not.",
  ls: "Lists the containers acp-sandbox kept for reuse or left behind: every workspace's, or one's with -w.",
  prune: "Removes what acp-sandbox left behind (orphaned and idle kept containers, bwrap scratch, empty mount points a killed bridge made for read-only mounts): everything, or one workspace's with -w.",
  sync: "Brings a kept copy-mode sandbox's changes back to the workspace.",
  checkpoints:
    "Lists the workspace's checkpoints, newest first: id, time, session, turn, what the turn changed\n" +
    "(+added ~modified -deleted) and the prompt's first line. The bridge takes one before each turn.",
  rollback:
    "Puts the workspace back as it was at a checkpoint (default: before the last turn) and prints what it changed.\n" +
    "The present state is checkpointed first, so a rollback can be undone. Files changed on the host after the\n" +
    "checkpoint by someone other than the agent are conflicts: listed and left alone unless --force. Protected\n" +
    "paths (.git/hooks, .vscode, ...) and excluded paths are never written. Refused while a turn runs in the\n" +
    "workspace (--force cancels it). Not restored: processes, anything outside the workspace, excluded files.",
};

export const RUN_EXIT_CODES: ReadonlyArray<readonly [number, string]> = [
  [0, "the turn ended normally (end_turn)"],
  [1, "acp-sandbox itself failed"],
  [2, "usage error (bad flags, no prompt, unreadable prompt file)"],
  [3, "the agent refused (refusal)"],
  [4, "the agent hit a limit (max_tokens, max_turn_requests)"],
  [5, "the turn was cancelled (Ctrl-C, --timeout, or the agent said cancelled)"],
  [6, "the agent crashed or could not be started"],
  [7, "an operation was refused by the permission policy"],
  [8, "the agent answered with an error (not signed in, a request it refused)"],
];

function optionLine(spec: OptionSpec): [string, string] {
  const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${spec.name}${spec.type === "string" ? ` ${spec.choices ? spec.choices.join("|") : (spec.placeholder ?? "VALUE")}` : ""}`;
  const text = spec.description + (spec.default ? ` (default: ${spec.default})` : "") + (spec.multiple ? " (repeatable)" : "");
  return [flag, text];
}

export function helpText(command: Command): string {
  const lines = [`Usage: ${USAGE[command]}`, "", SUMMARY[command], ""];
  for (const group of OPTION_GROUPS) {
    const options = group.options.filter((o) => o.commands.includes(command));
    if (options.length === 0) continue;
    if (group.title) lines.push(`${group.title}:`);
    const rows = options.map(optionLine);
    const width = Math.min(44, Math.max(...rows.map(([flag]) => flag.length)) + 2);
    for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}${flag.length >= width ? `\n  ${" ".repeat(width)}` : ""}${text}`);
    lines.push("");
  }
  if (command === "bridge") {
    lines.push(
      "Commands:",
      "  run       send one prompt headlessly and print what the agent does",
      "  demo      watch the bundled scripted agent work through the bridge",
      "  doctor    which sandboxes work here, and how to fix the ones that do not",
      "  ls        sandboxes kept for reuse",
      "  prune     remove sandboxes left behind",
      "  sync      bring a kept copy-mode sandbox's changes back",
      "  checkpoints  list the checkpoints taken before each turn",
      "  rollback  put the workspace back as it was before a turn",
      "",
      "Examples:",
      "  acp-sandbox --network open -- claude-agent-acp",
      "  acp-sandbox --sandbox docker --network open -- codex-acp",
      '  acp-sandbox run --network open --prompt "fix the failing test" -- gemini --acp',
      "",
      "Run `acp-sandbox <command> --help` for a command's options.",
    );
  }
  if (command === "run") {
    lines.push("Exit status:");
    for (const [code, meaning] of RUN_EXIT_CODES) lines.push(`  ${String(code).padEnd(3)} ${meaning}`);
  }
  return lines.join("\n").trimEnd() + "\n";
}
