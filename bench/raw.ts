// Raw baselines: how long a plain command takes from spawn to exit (e.g. `true`, `bwrap … true`, `docker run … true`).
import { spawn } from "node:child_process";
import { BenchError } from "./peer.js";

/** Spawns `argv`, waits for it to exit 0, and returns the elapsed ms; rejects with its stderr otherwise. */
export function timeCommand(argv: readonly string[], timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new BenchError(`${argv[0]}: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const elapsed = performance.now() - start;
      if (code === 0) resolve(elapsed);
      else reject(new BenchError(`\`${argv.join(" ")}\` exited ${code ?? signal}${stderr.trim() ? `: ${stderr.trim().split("\n").pop()}` : ""}`));
    });
  });
}

/** Times `count` runs of `argv` in a row. */
export async function timeCommands(argv: readonly string[], count: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) ms.push(await timeCommand(argv));
  return ms;
}

/** Times `producer | consumer` (no shell): both must exit 0. */
export function timePipeline(producer: readonly string[], consumer: readonly string[], timeoutMs = 300_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const left = spawn(producer[0]!, producer.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    const right = spawn(consumer[0]!, consumer.slice(1), { stdio: ["pipe", "ignore", "pipe"] });
    left.stdout.pipe(right.stdin);
    right.stdin.on("error", () => {});
    let stderr = "";
    for (const child of [left, right]) child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    const timer = setTimeout(() => {
      left.kill("SIGKILL");
      right.kill("SIGKILL");
    }, timeoutMs);
    const exit = (child: typeof left | typeof right, argv: readonly string[]) =>
      new Promise<void>((done, fail) => {
        child.once("error", (error) => fail(new BenchError(`${argv[0]}: ${error.message}`)));
        child.once("close", (code, signal) =>
          code === 0 ? done() : fail(new BenchError(`\`${argv.join(" ")}\` exited ${code ?? signal}${stderr.trim() ? `: ${stderr.trim().split("\n").pop()}` : ""}`)),
        );
      });
    Promise.all([exit(left, producer), exit(right, consumer)]).then(
      () => {
        clearTimeout(timer);
        resolve(performance.now() - start);
      },
      (error: unknown) => {
        clearTimeout(timer);
        left.kill("SIGKILL");
        right.kill("SIGKILL");
        reject(error);
      },
    );
  });
}
