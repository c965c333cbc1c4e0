// `acp-sandbox demo`: the bundled scripted agent works on a scratch copy of the sample project, headlessly.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveSessionConfig } from "../../config/resolve.js";
import type { Logger } from "../../log/logger.js";
import { PACKAGE_ROOT } from "../../version.js";
import type { OptionValues } from "../parse.js";
import { runOnce } from "./run.js";

export async function runDemoCommand(values: OptionValues, log: Logger): Promise<number> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-demo-"));
  try {
    cpSync(path.join(PACKAGE_ROOT, "fixtures", "workspace"), scratch, { recursive: true });
    const agent = [process.execPath, path.join(PACKAGE_ROOT, "dist", "fixtures", "agent", "scripted-agent.js")];
    const config = await resolveSessionConfig({ ...values, workspace: scratch }, agent, process.env, process.cwd());
    log.info(`demo: the scripted agent works on a scratch copy of the sample project in ${scratch}`);
    const code = await runOnce(config, "demo", { approve: "all", ...values }, log);
    log.info(`demo: the workspace now holds: ${readdirSync(path.join(scratch, "src")).map((f) => "src/" + f).join(", ")}`);
    return code;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
