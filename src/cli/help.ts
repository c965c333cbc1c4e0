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
      "",
      "Examples:",
      "  acp-sandbox -- npx @zed-industries/claude-code-acp",
      "  acp-sandbox --sandbox docker --image node:20 -- codex-acp",
      '  acp-sandbox run --prompt "fix the failing test" -- gemini --acp',
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
