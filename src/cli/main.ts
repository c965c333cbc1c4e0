#!/usr/bin/env node
// The acp-sandbox command: parse, validate once, dispatch; errors become one line, never a stack trace.
import nodeModule from "node:module";
import { guardStdout, createLogger } from "../log/logger.js";

guardStdout();
// V8's compile cache (Node ≥ 22.1; Node 20 has none): later starts skip compiling the bundle's modules.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { AcpSandboxError, UsageError } = await import("../errors.js");
const { parseCommandLine } = await import("./parse.js");
const { helpText } = await import("./help.js");
const { resolveLogLevel, resolveSessionConfig } = await import("../config/resolve.js");
const { VERSION } = await import("../version.js");

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`acp-sandbox: ${error.message}\n\n${helpText("bridge").split("\n\n")[0]}\nRun \`acp-sandbox --help\` for more.\n`);
      return 2;
    }
    throw error;
  }
  const { command, values, agent } = parsed;
  if (values["help"]) {
    process.stderr.write(helpText(command));
    return 0;
  }
  if (values["version"]) {
    process.stderr.write(`acp-sandbox ${VERSION}\n`);
    return 0;
  }
  const log = createLogger(resolveLogLevel(values));
  try {
    switch (command) {
      case "bridge": {
        const { runBridgeCommand } = await import("./commands/bridge.js");
        const terminal = { preset: typeof values["preset"] === "string" ? values["preset"] : undefined, networkGiven: values["network"] !== undefined };
        return await runBridgeCommand(await resolveSessionConfig(values, agent, process.env, process.cwd()), log, terminal);
      }
      case "run": {
        const { runRunCommand } = await import("./commands/run.js");
        return await runRunCommand(values, agent, log);
      }
      case "demo": {
        const { runDemoCommand } = await import("./commands/demo.js");
        return await runDemoCommand(values, log);
      }
      case "checkpoints":
      case "rollback": {
        const { runCheckpointsCommand } = await import("./commands/checkpoints.js");
        return await runCheckpointsCommand(command, values, log);
      }
      case "doctor":
      case "ls":
      case "prune":
      case "sync": {
        const { runMaintenanceCommand } = await import("./commands/maintenance.js");
        return await runMaintenanceCommand(command, values, log);
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`acp-sandbox: ${error.message}\nRun \`acp-sandbox ${command === "bridge" ? "" : command + " "}--help\` for usage.\n`);
      return 2;
    }
    if (error instanceof AcpSandboxError) {
      log.error(error.message);
      return 1;
    }
    throw error;
  }
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`acp-sandbox: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  code = 1;
}
// Nothing may keep the bridge alive once it has finished (an unread stdin, a stray timer).
process.exit(code);
