// The locally built image's contents, read as data: what real agents need is in it, found without running ldd.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { libraryClosure } from "../../src/sandbox/docker/elf-libraries.js";
import { localImagePlan } from "../../src/sandbox/docker/local-image-plan.js";

describe("the local image plan", () => {
  it("holds env for #!/usr/bin/env scripts, a POSIX shell, bash and git, and the libraries Claude Code's binary loads", () => {
    const plan = localImagePlan();
    const paths = new Set(plan.entries.map((e) => e.path));
    for (const tool of ["/usr/bin/env", "/bin/sh", "/bin/bash", "/usr/bin/git", "/usr/bin/grep", "/usr/bin/sed", "/usr/bin/find", "/usr/bin/tar"]) {
      if (spawnSync("sh", ["-c", `command -v ${tool.split("/").pop()}`]).status === 0) expect(paths, tool).toContain(tool);
    }
    const libs = [...paths].map((p) => p.split("/").pop());
    for (const lib of ["libc.so.6", "librt.so.1", "libpthread.so.0", "libdl.so.2", "libm.so.6"]) expect(libs).toContain(lib);
  });

  it("reads an executable's libraries from its ELF headers, as ldd lists them", () => {
    const ours = libraryClosure([process.execPath]);
    const ldd = spawnSync("ldd", [process.execPath], { encoding: "utf8" }).stdout;
    const listed = [...ldd.matchAll(/=>\s*(\/\S+)/g)].map((m) => m[1]!);
    for (const lib of listed) expect(ours).toContain(lib);
    expect(libraryClosure(["/etc/passwd"])).toEqual([]);
  });
});
