/** Called once per non-empty line with the bytes `buf[start, end)` (line end and `\r` removed). */
export type ByteLineHandler = (buf: Uint8Array, start: number, end: number, lineNo: number) => void;

/**
 * Splits text arriving as byte chunks into lines, without building the text as one string:
 * each chunk is scanned for `\n`; only a line that spans two chunks is copied. Strips a UTF-8
 * BOM and `\r` before `\n`; the last line may lack `\n`. Rejects a chunk holding a NUL byte
 * (binary, UTF-16) with an error naming `fn` and `source`. Works wherever `Uint8Array` does
 * (Node, browsers, Web Workers): the file readers of `@memrec/data/node` and
 * {@link parseDelimited} are built on it.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const split = new LineSplitter('demo', 'bytes', (b, s, e) => lines.push(new TextDecoder().decode(b.subarray(s, e))));
 * split.push(new TextEncoder().encode('a,1\nb,'));
 * split.push(new TextEncoder().encode('2\n'));
 * split.end(); // lines: ['a,1', 'b,2']
 * ```
 */
export class LineSplitter {
  /** Lines seen so far (empty ones included: line numbers count every line). */
  lineNo = 0;
  /** Bytes pushed so far. */
  bytes = 0;
  private carry: Uint8Array | null = null;
  private first = true;

  constructor(
    private readonly fn: string,
    private readonly source: string,
    private readonly onLine: ByteLineHandler,
  ) {}

  /** Feeds the next chunk; calls the handler for every line it completes. */
  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.first) {
      this.first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) pos = 3;
    }
    const nul = chunk.indexOf(0);
    if (nul !== -1) throw new Error(`${this.fn}: ${this.source} is not a text file (NUL byte at offset ${this.bytes + nul})`);
    this.bytes += chunk.length;
    if (this.carry !== null) {
      const nl = chunk.indexOf(10, pos);
      if (nl === -1) {
        this.carry = concat(this.carry, chunk, chunk.length);
        return;
      }
      const joined = concat(this.carry, chunk, nl);
      this.carry = null;
      this.emit(joined, 0, joined.length);
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, pos);
      if (nl === -1) break;
      this.emit(chunk, pos, nl);
      pos = nl + 1;
    }
    if (pos < chunk.length) this.carry = concat(EMPTY, chunk.subarray(pos), chunk.length - pos); // a copy: the caller may reuse chunk
  }

  /** Emits the last line when the input did not end with `\n`. */
  end(): void {
    if (this.carry !== null) {
      const last = this.carry;
      this.carry = null;
      this.emit(last, 0, last.length);
    }
  }

  private emit(buf: Uint8Array, s: number, e: number): void {
    this.lineNo++;
    if (e > s && buf[e - 1] === 13) e--;
    if (e > s) this.onLine(buf, s, e, this.lineNo);
  }
}

const EMPTY = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array, bEnd: number): Uint8Array {
  const out = new Uint8Array(a.length + bEnd);
  out.set(a, 0);
  out.set(b.subarray(0, bEnd), a.length);
  return out;
}
