// A terminal's output so far, keeping at most `limit` bytes: the oldest bytes go first, cut at a character boundary.
import { StringDecoder } from "node:string_decoder";

/** True for a UTF-8 continuation byte (10xxxxxx): never the first byte of a character. */
function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

export class OutputBuffer {
  #chunks: Buffer[] = [];
  #bytes = 0;
  #truncated = false;
  readonly #decoder = new StringDecoder("utf8");

  constructor(readonly limit: number) {}

  get truncated(): boolean {
    return this.#truncated;
  }

  get byteLength(): number {
    return this.#bytes;
  }

  /** Output from a pipe (bytes, possibly split inside a character) or a PTY (text). */
  append(data: Buffer | string): void {
    const text = typeof data === "string" ? data : this.#decoder.write(data);
    if (text !== "") this.#push(Buffer.from(text, "utf8"));
  }

  /** Flushes an incomplete character left at the end of a pipe (as U+FFFD). */
  end(): void {
    const rest = this.#decoder.end();
    if (rest !== "") this.#push(Buffer.from(rest, "utf8"));
  }

  text(): string {
    return Buffer.concat(this.#chunks, this.#bytes).toString("utf8");
  }

  #push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (this.#bytes > this.limit) this.#trim();
  }

  #trim(): void {
    this.#truncated = true;
    let excess = this.#bytes - this.limit;
    while (excess > 0 && this.#chunks.length > 0) {
      const first = this.#chunks[0]!;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#bytes -= first.length;
        excess -= first.length;
        continue;
      }
      let cut = excess;
      // Every chunk is whole characters, so stepping past continuation bytes lands on a character's start.
      while (cut < first.length && isContinuation(first[cut]!)) cut++;
      this.#chunks[0] = first.subarray(cut);
      this.#bytes -= cut;
      excess = 0;
    }
  }
}
