#!/usr/bin/env node
// `npm run bench`: what the bridge costs against the direct baseline, as a markdown table (stdout) and JSON.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { latency } from "./cases/latency.js";
import { memory } from "./cases/memory.js";
import { network } from "./cases/network.js";
import { sessionStart } from "./cases/start.js";
import { sync } from "./cases/sync.js";
import { checkpoint } from "./cases/checkpoint.js";
import { throughput } from "./cases/throughput.js";
import { fileContent, READ_FILE, toolhost } from "./cases/toolhost.js";
import type { BenchCase, BenchContext } from "./context.js";
import { BenchUsageError, parseBenchArgs, USAGE } from "./options.js";
import { killAllPeers } from "./peer.js";
import { type Row, verdict } from "./result.js";
import { RssLog } from "./rss.js";
import { markdownTable } from "./table.js";
import { ROOT } from "./commands.js";

/** In the order they run: memory last, since it reports what figures 1–3 saw. */
const CASES: readonly BenchCase[] = [throughput, latency, sessionStart, toolhost, sync, network, checkpoint, memory];

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const workspace = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-bench-")));
  writeFileSync(path.join(workspace, READ_FILE), fileContent());
  const onSignal = () => {
    killAllPeers();
    rmSync(workspace, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const started = Date.now();
  const context: BenchContext = {
    runs: options.runs,
    quick: options.quick,
    workspace,
    rss: new RssLog(),
    progress: (message) => process.stderr.write(`bench: ${message}\n`),
  };
  const rows: Row[] = [];
  try {
    for (const benchCase of CASES) {
      if (!options.only.includes(benchCase.id)) continue;
      context.progress(`${benchCase.title}…`);
      rows.push(...(await benchCase.run(context)));
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, platform: `${os.platform()} ${os.release()}` };
  const header = `acp-sandbox bench — ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${options.runs} runs per figure${options.quick ? " (quick)" : ""}, ${seconds.toFixed(0)} s`;
  process.stdout.write(`${header}\n\n${markdownTable(rows)}\n`);
  const jsonPath = options.json === undefined ? path.join(ROOT, ".bench", "results.json") : path.resolve(options.json);
  mkdirSync(path.dirname(jsonPath), { recursive: true });
  writeFileSync(
    jsonPath,
    JSON.stringify({ date: new Date().toISOString(), machine, options: { quick: options.quick, runs: options.runs, only: options.only }, seconds, rows: rows.map((row) => ({ ...row, verdict: verdict(row) })) }, null, 2) + "\n",
  );
  process.stderr.write(`bench: results written to ${path.relative(process.cwd(), jsonPath) || jsonPath}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    killAllPeers();
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
