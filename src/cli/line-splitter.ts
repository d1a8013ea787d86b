import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte or text stream into lines across chunk boundaries (UTF-8 sequences split
 * between chunks decode correctly). Lines end at '\n'; a trailing '\r' is dropped (CRLF input).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  /** The complete lines this chunk finishes, in order (one array per chunk, not per line). */
  push(chunk: Buffer | string): string[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      lines.push(text.slice(start, end));
      start = nl + 1;
    }
    this.partial = start === 0 ? text : text.slice(start);
    return lines;
  }

  /** At end of input: the last line when it had no final newline, else undefined. */
  end(): string | undefined {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length === 0) return undefined;
    return rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  }

  /** True when an unfinished line is buffered. */
  get hasPartial(): boolean {
    return this.partial.length > 0;
  }
}
