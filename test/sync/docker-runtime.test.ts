// Copy mode against real containers: round trips byte for byte, deletions both ways, conflicts, the copy's owner.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { BaselineStore } from "../../src/sync/baseline.js";
import { ownCopyRoot } from "../../src/sync/docker/copy-root.js";
import { DockerRuntimeFiles } from "../../src/sync/docker/files.js";
import { DockerSyncRuntime } from "../../src/sync/docker/runtime.js";
import { WorkspaceSync } from "../../src/sync/engine.js";
import { Excludes } from "../../src/sync/excludes.js";
import { scanHost } from "../../src/sync/scan.js";
import { describeBackend } from "../support/ci.js";
import { copyContainer, dockerUnavailable, shell } from "./docker-support.js";
import { build, quietLog, tempDir } from "./tree.js";

const docker = dockerClient();
const unavailable = await dockerUnavailable(docker);

/** A user that is not root and not the host's: the copy must belong to it all the same. */
const UID = 4242;
const USER = `${UID}:${UID}`;

describeBackend("copy mode on Docker", unavailable, () => {
  let host: ReturnType<typeof tempDir>;
  let state: ReturnType<typeof tempDir>;
  let box: { container: Docker.Container; image: string; remove: () => Promise<void> };
  let sync: WorkspaceSync;
  let runtime: DockerSyncRuntime;

  beforeAll(async () => {
    host = tempDir("acp-sync-docker-");
    state = tempDir("acp-sync-docker-state-");
    build(host.dir, {
      "README.md": "# hello\n",
      "src/index.js": "console.log(1);\n",
      "src/blob.bin": Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256)),
      "scripts/build.sh": { content: "#!/bin/sh\necho build\n", mode: 0o755 },
      "secret.pem": { content: "key\n", mode: 0o600 },
      "docs/readme-link": { link: "../README.md" },
      [`deep/${"long-directory-name-".repeat(6)}/file-with-a-long-name-${"x".repeat(60)}.txt`]: "long path\n",
      "node_modules/pkg/index.js": "dependency\n",
      ".git/HEAD": "ref: refs/heads/main\n",
      ".git/hooks/pre-commit": { content: "#!/bin/sh\n", mode: 0o755 },
    });
    box = await copyContainer(docker, host.dir, USER);
    await ownCopyRoot(docker, box.container, host.dir, box.image, UID, UID);
  }, 120_000);

  afterAll(async () => {
    await box?.remove();
    host?.cleanup();
    state?.cleanup();
  });

  beforeEach(() => {
    runtime = new DockerSyncRuntime({ container: box.container, root: host.dir, user: USER });
    sync = new WorkspaceSync({ workspace: host.dir, runtime, store: new BaselineStore(state.dir, host.dir, runtime.id), log: quietLog, owner: { uid: UID, gid: UID } });
  });

  /** Both sides' manifests (hashes computed on each side: inside the container by its own node) without mtimes. */
  async function bothSides(): Promise<{ host: Record<string, unknown>; runtime: Record<string, unknown> }> {
    const excludes = new Excludes(host.dir);
    const strip = (m: Map<string, { type: string; mode: number; hash?: string; target?: string }>) =>
      Object.fromEntries([...m].filter(([rel]) => !excludes.excluded(rel, false) && !rel.startsWith("node_modules")).map(([rel, e]) => [rel, [e.type, e.type === "symlink" ? 0 : e.mode, e.hash ?? e.target ?? ""]]));
    const remote = await runtime.manifest({ prune: [], cache: {} });
    const local = (await scanHost({ root: host.dir, excludes })).manifest;
    return { host: strip(local), runtime: strip(remote) };
  }

  it("fills the copy byte for byte, modes kept, the copy owned by the sandbox user, excluded paths left out", async () => {
    const report = await sync.toRuntime();
    const sides = await bothSides();
    expect(sides.runtime).toEqual(sides.host);
    expect(Object.keys(sides.runtime)).toContain(`deep/${"long-directory-name-".repeat(6)}/file-with-a-long-name-${"x".repeat(60)}.txt`);
    expect(report.files).toBe(Object.keys(sides.host).length);
    expect(await shell(box.container, `stat -c '%u:%g %a' ${host.dir} ${host.dir}/src/index.js ${host.dir}/scripts/build.sh ${host.dir}/secret.pem`)).toBe(
      `${USER} 755\n${USER} 644\n${USER} 755\n${USER} 600\n`,
    );
    expect(await shell(box.container, `test -e ${host.dir}/node_modules && echo present || echo absent`)).toBe("absent\n");
    // The agent can work in its copy.
    await shell(box.container, `echo made-inside > ${host.dir}/inside.txt && mkdir ${host.dir}/newdir`, USER);
  });

  it("brings the agent's work back: changes, additions, modes, deletions; hooks stay behind", async () => {
    await shell(
      box.container,
      [
        `cd ${host.dir}`,
        "printf 'console.log(2);\\n' > src/index.js",
        "mkdir -p lib/util && printf 'export {}\\n' > lib/util/a.js",
        "chmod 700 scripts/build.sh",
        "rm docs/readme-link && rmdir docs",
        "rm secret.pem",
        "printf '#!/bin/sh\\nexfiltrate\\n' > .git/hooks/pre-commit",
        "mkfifo pipe",
        "ln -s /etc/passwd escape",
      ].join(" && "),
      USER,
    );
    const report = await sync.toHost();
    expect(readFileSync(path.join(host.dir, "src/index.js"), "utf8")).toBe("console.log(2);\n");
    expect(readFileSync(path.join(host.dir, "lib/util/a.js"), "utf8")).toBe("export {}\n");
    expect(readFileSync(path.join(host.dir, "inside.txt"), "utf8")).toBe("made-inside\n");
    expect(existsSync(path.join(host.dir, "newdir"))).toBe(true);
    expect(existsSync(path.join(host.dir, "docs"))).toBe(false);
    expect(existsSync(path.join(host.dir, "secret.pem"))).toBe(false);
    expect(existsSync(path.join(host.dir, "pipe"))).toBe(false);
    expect(existsSync(path.join(host.dir, "escape"))).toBe(false);
    expect(readFileSync(path.join(host.dir, ".git/hooks/pre-commit"), "utf8")).toBe("#!/bin/sh\n");
    expect(report.deletions).toBe(3);
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { path: ".git/hooks/pre-commit", reason: "protected (**/.git/hooks/**): never brought back to the host" },
        { path: "escape", reason: "symlink to /etc/passwd points outside the workspace" },
      ]),
    );
    const sides = await bothSides();
    delete sides.runtime[".git/hooks/pre-commit"];
    delete sides.host[".git/hooks/pre-commit"];
    delete sides.runtime["escape"];
    expect(sides.host).toEqual(sides.runtime);
    const idle = await sync.toHost();
    expect([idle.files, idle.bytes, idle.deletions]).toEqual([0, 0, 0]);
  });

  it("sends host deletions and edits into the copy", async () => {
    rmSync(path.join(host.dir, "lib"), { recursive: true });
    writeFileSync(path.join(host.dir, "README.md"), "# edited on the host\n");
    chmodSync(path.join(host.dir, "README.md"), 0o664);
    const report = await sync.toRuntime();
    expect(report.deletions).toBe(3);
    expect(await shell(box.container, `test -e ${host.dir}/lib && echo present || echo gone; cat ${host.dir}/README.md; stat -c %a ${host.dir}/README.md`)).toBe(
      "gone\n# edited on the host\n664\n",
    );
  });

  it("a conflict: the host file stays, the container's version lands beside it", async () => {
    writeFileSync(path.join(host.dir, "src/index.js"), "host side\n");
    await shell(box.container, `printf 'container side\\n' > ${host.dir}/src/index.js`, USER);
    const report = await sync.toHost();
    expect(report.conflicts).toEqual([
      { path: "src/index.js", detail: "was changed in the runtime and changed on the host; the host copy stays", keptAs: "src/index.acp-sandbox-conflict.js" },
    ]);
    expect(readFileSync(path.join(host.dir, "src/index.js"), "utf8")).toBe("host side\n");
    expect(readFileSync(path.join(host.dir, "src/index.acp-sandbox-conflict.js"), "utf8")).toBe("container side\n");
    await sync.toRuntime();
    expect(await shell(box.container, `cat ${host.dir}/src/index.js`)).toBe("host side\n");
  });

  it("reads, writes and stats files in the copy for the ToolHost", async () => {
    const files = new DockerRuntimeFiles(box.container, { uid: UID, gid: UID });
    await files.writeFile(path.join(host.dir, "written.txt"), Buffer.from("via the engine\n"), { mode: 0o640 });
    expect((await files.readFile(path.join(host.dir, "written.txt"))).toString()).toBe("via the engine\n");
    expect(await files.stat(path.join(host.dir, "written.txt"))).toEqual({ type: "file", size: 15, mode: 0o640 });
    expect((await files.stat(host.dir))?.type).toBe("directory");
    expect(await files.stat(path.join(host.dir, "missing"))).toBeUndefined();
    expect(await shell(box.container, `stat -c '%u %a' ${host.dir}/written.txt`)).toBe(`${UID} 640\n`);
    await shell(box.container, `ln -s src ${host.dir}/src-link`, USER);
    expect(await files.realpath(path.join(host.dir, "src-link"))).toBe(path.join(host.dir, "src"));
    await expect(files.readFile(path.join(host.dir, "nope.txt"))).rejects.toThrow(`${path.join(host.dir, "nope.txt")} does not exist in the container`);
  });
});
