// Wall times of the real agents run directly and through the bridge on each backend (interleaved, medians), as a table.
// Run: npx esbuild test/agents/wall-times.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/agents/wall-times.mjs && node dist/agents/wall-times.mjs [rounds]
import { rmSync } from "node:fs";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { backends } from "../sandbox/support.js";
import { AnthropicStandIn } from "./anthropic-stand-in.js";
import { claudeScript } from "./claude-script.js";
import { acpExchange, acpxExec, bridgeCommand, bridgeEnv, CLAUDE, CODEX, GEMINI, networkFlags, scratch } from "./support.js";

const rounds = Number(process.argv[2] ?? 3);
const s = scratch();
let script = claudeScript(s.workspace, s.marker);
const standIn = await AnthropicStandIn.start((request) => script(request));
const all = (await backends()).filter((b) => !b.unavailable);
if (all.some((b) => b.docker)) await ensureLocalNodeImage();

type Row = { agent: string; how: string; run: () => Promise<void> };
const rows: Row[] = [];
const claudeEnv = () => bridgeEnv(s, { ANTHROPIC_BASE_URL: standIn.url, ANTHROPIC_API_KEY: "sk-ant-stand-in-000000000000", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
const claudeTurn = (command: string[]) => async () => {
  rmSync(`${s.workspace}/notes.txt`, { force: true });
  script = claudeScript(s.workspace, s.marker);
  const out = await acpxExec(command, s.workspace, "Look around, then leave a note.", claudeEnv());
  if (out.code !== 0) throw new Error(`claude: acpx exited ${out.code}: ${out.stderr.slice(-500)}`);
};
const session = (agent: string[]) => async (command: string[]) => {
  const [init] = await acpExchange(command, [{ method: "session/new", params: { cwd: s.workspace, mcpServers: [] } }], { cwd: s.workspace, env: bridgeEnv(s) });
  if (!init?.result) throw new Error(`${agent[0]}: initialize failed`);
};

rows.push({ agent: "claude (one turn: read, bash, write, edit)", how: "direct", run: claudeTurn(CLAUDE) });
for (const b of all) {
  const flags = networkFlags(b, standIn.port);
  if (flags) rows.push({ agent: "claude (one turn: read, bash, write, edit)", how: b.name, run: claudeTurn(bridgeCommand([...b.flags, ...flags], s.workspace, CLAUDE)) });
}
for (const [name, agent] of [["codex (initialize + session/new)", CODEX], ["gemini (initialize + session/new)", GEMINI]] as const) {
  const exchange = session([...agent]);
  rows.push({ agent: name, how: "direct", run: () => exchange([...agent]) });
  for (const b of all) rows.push({ agent: name, how: b.name, run: () => exchange(bridgeCommand(b.flags, s.workspace, agent)) });
}

const times = new Map<Row, number[]>(rows.map((r) => [r, []]));
for (let round = 0; round < rounds; round++) {
  for (const row of rows) {
    const started = process.hrtime.bigint();
    await row.run();
    times.get(row)!.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const hows = ["direct", ...all.map((b) => b.name)];
console.log(`| agent | ${hows.join(" | ")} |`);
console.log(`|---|${hows.map(() => "---:").join("|")}|`);
for (const agent of [...new Set(rows.map((r) => r.agent))]) {
  const cells = hows.map((how) => {
    const row = rows.find((r) => r.agent === agent && r.how === how);
    return row ? `${median(times.get(row)!).toFixed(1)} s` : "n/a";
  });
  console.log(`| ${agent} | ${cells.join(" | ")} |`);
}
console.log(`\nmedians of ${rounds} interleaved rounds; wall time from spawning the editor side to its exit`);
await standIn.close();
s.cleanup();
