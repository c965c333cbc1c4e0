// The model's side of the Claude scenario: read a file, run a shell command, write a file, edit it, end the turn.
import path from "node:path";
import type { Reply, Script } from "./anthropic-stand-in.js";
import { toolResults } from "./anthropic-stand-in.js";

/** What the shell command prints: where it ran, whether /root shows anything, whether the host HOME's marker shows. */
export function factsCommand(marker: string): string {
  return `echo "host=$(hostname)"; echo "root=$(ls -A /root 2>/dev/null | head -c 200)"; if [ -e '${marker}' ]; then echo marker=visible; else echo marker=hidden; fi; echo "home=$HOME"`;
}

/** The tool calls, in order, that the model makes in `workspace`; then it ends the turn. */
export function claudeSteps(workspace: string, marker: string): Reply[] {
  const notes = path.join(workspace, "notes.txt");
  return [
    { blocks: [{ type: "text", text: "Reading the README first." }, { type: "tool_use", name: "Read", input: { file_path: path.join(workspace, "README.md") } }], stopReason: "tool_use" },
    { blocks: [{ type: "tool_use", name: "Bash", input: { command: factsCommand(marker), description: "Show where this shell runs" } }], stopReason: "tool_use" },
    { blocks: [{ type: "tool_use", name: "Write", input: { file_path: notes, content: "first line\nsecond line\n" } }], stopReason: "tool_use" },
    { blocks: [{ type: "tool_use", name: "Edit", input: { file_path: notes, old_string: "second line", new_string: "second line, edited" } }], stopReason: "tool_use" },
    { blocks: [{ type: "text", text: "All done: read, ran, wrote and edited." }], stopReason: "end_turn" },
  ];
}

/** The script: the step is the number of tool results so far (a resumed conversation carries them along). */
export function claudeScript(workspace: string, marker: string): Script {
  const steps = claudeSteps(workspace, marker);
  return (request) => {
    const done = toolResults(request).length % steps.length;
    return steps[Math.min(done, steps.length - 1)]!;
  };
}
