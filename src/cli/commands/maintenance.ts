// doctor, ls, prune, sync: looking after the sandboxes rather than running an agent.
import type { Logger } from "../../log/logger.js";
import { probeAll } from "../../sandbox/registry.js";
import type { OptionValues } from "../parse.js";
import type { Command } from "../options/index.js";

export async function runMaintenanceCommand(command: Exclude<Command, "bridge" | "run" | "demo">, values: OptionValues, log: Logger): Promise<number> {
  switch (command) {
    case "doctor": {
      for (const probe of await probeAll()) {
        process.stderr.write(`${probe.available ? "ok  " : "no  "} ${probe.backend.padEnd(7)} ${probe.detail}${probe.fix ? `\n             fix: ${probe.fix}` : ""}\n`);
      }
      return 0;
    }
    case "sync": {
      const { runSyncCommand } = await import("../../sync/command.js");
      return runSyncCommand(values, log);
    }
    case "ls":
    case "prune":
      log.error(`${command}: no backend keeps sandboxes in this build`);
      return 1;
  }
}
