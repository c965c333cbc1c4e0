// The editor's `/checkpoints` and `/rollback [id]` prompts: recognised, parsed, and advertised as commands.

export type SlashCommand =
  | { readonly name: "checkpoints" }
  | { readonly name: "rollback"; readonly to?: number; readonly force: boolean; readonly dryRun: boolean }
  | { readonly name: "invalid"; readonly message: string };

/** The commands added to the agent's own `available_commands_update` list. */
export const SLASH_COMMANDS = [
  { name: "checkpoints", description: "acp-sandbox: list this workspace's checkpoints (one before each turn)" },
  { name: "rollback", description: "acp-sandbox: put the workspace back as it was before the last turn, or before checkpoint ID", input: { hint: "[id] [--dry-run] [--force]" } },
] as const;

/** The command a prompt's text starts with, or undefined when it is a prompt for the agent. */
export function parseSlash(text: string): SlashCommand | undefined {
  const match = /^\s*\/(checkpoints|rollback)(?=\s|$)(.*)$/s.exec(text);
  if (!match) return undefined;
  const words = match[2]!.trim().split(/\s+/).filter((w) => w !== "");
  if (match[1] === "checkpoints") {
    return words.length === 0 ? { name: "checkpoints" } : { name: "invalid", message: `/checkpoints takes no arguments (got ${words.join(" ")})` };
  }
  let to: number | undefined;
  let force = false;
  let dryRun = false;
  for (const word of words) {
    if (word === "--force") force = true;
    else if (word === "--dry-run") dryRun = true;
    else if (/^\d+$/.test(word) && to === undefined) to = Number(word);
    else return { name: "invalid", message: `usage: /rollback [id] [--dry-run] [--force] (got ${JSON.stringify(word)})` };
  }
  return { name: "rollback", ...(to === undefined ? {} : { to }), force, dryRun };
}
