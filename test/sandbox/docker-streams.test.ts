// Docker's stream plumbing: the multiplexed attach stream split in two, and the exec wrapper's marker line.
import { describe, expect, it } from "vitest";
import { demuxer } from "../../src/sandbox/docker/demux.js";
import { type Marker, markerFilter, parseMarker } from "../../src/sandbox/docker/exec-marker.js";

function frame(stream: number, payload: string): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text;
}

describe("demuxer", () => {
  it("splits frames to stdout and stderr, whatever the chunk boundaries", async () => {
    const { input, stdout, stderr } = demuxer();
    const outText = collect(stdout);
    const errText = collect(stderr);
    const raw = Buffer.concat([frame(1, '{"jsonrpc":"2.0"}\n'), frame(2, "log line\n"), frame(1, "second\n"), frame(2, "")]);
    // Feed one byte at a time: headers and payloads split everywhere.
    for (let i = 0; i < raw.length; i++) input.write(raw.subarray(i, i + 1));
    input.end();
    expect(await outText).toBe('{"jsonrpc":"2.0"}\nsecond\n');
    expect(await errText).toBe("log line\n");
  });

  it("never lets a frame of an unknown type reach stdout", async () => {
    const { input, stdout, stderr } = demuxer();
    const outText = collect(stdout);
    const errText = collect(stderr);
    input.end(Buffer.concat([frame(3, "garbage"), frame(1, "ok\n")]));
    expect(await outText).toBe("ok\n");
    expect(await errText).toBe("garbage");
  });
});

describe("the exec marker", () => {
  it("parses the pid and the missing-command lines, and nothing else", () => {
    expect(parseMarker("\x1eacp-sandbox-pid 42")).toEqual({ kind: "pid", pid: 42 });
    expect(parseMarker("\x1eacp-sandbox-pid 7\r")).toEqual({ kind: "pid", pid: 7 });
    expect(parseMarker("\x1eacp-sandbox-missing claude-agent-acp")).toEqual({ kind: "missing", command: "claude-agent-acp" });
    expect(parseMarker("acp-sandbox-pid 42")).toBeUndefined();
    expect(parseMarker("hello")).toBeUndefined();
  });

  it("removes the marker line from the output and reports it once, across chunk boundaries", async () => {
    const seen: Marker[] = [];
    const filter = markerFilter((m) => seen.push(m));
    const text = collect(filter);
    for (const piece of ["\x1eacp-sandbox", "-pid 12", "3\nfirst line\n", "second\n"]) filter.write(piece);
    filter.end();
    expect(await text).toBe("first line\nsecond\n");
    expect(seen).toEqual([{ kind: "pid", pid: 123 }]);
  });

  it("passes everything through and reports none when the first line is not a marker", async () => {
    const seen: Marker[] = [];
    const filter = markerFilter((m) => seen.push(m));
    const text = collect(filter);
    filter.end("OCI runtime exec failed: no such file\n");
    expect(await text).toBe("OCI runtime exec failed: no such file\n");
    expect(seen).toEqual([{ kind: "none" }]);
  });
});
