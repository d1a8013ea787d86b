import type { FetchBatch, Header } from '../backend/backend-types.js';
import { usageError } from './cli-args.js';

/** Placeholders of `consume --format`, by letter. */
const FIELDS = {
  k: 1, // key
  v: 2, // value
  p: 3, // partition
  o: 4, // offset
  t: 5, // timestamp, epoch ms
  T: 6, // topic
  h: 7, // headers
  K: 8, // key length in bytes (-1 for null)
  V: 9, // value length in bytes (-1 for null)
} as const;

export const FORMAT_HELP = `  %k key      %v value      %T topic       %p partition     %o offset
  %t timestamp (epoch ms)   %h headers (name:value,... or NO_HEADERS)
  %K key size in bytes (-1 for null)      %V value size in bytes (-1 for null)
  %% a literal %             \\n newline   \\t tab   \\\\ backslash
A null key or value prints as "null", as kafka-console-consumer does.
Each record ends with a newline.`;

export const DEFAULT_FORMAT = '%v';
export const PRINT_KEY_FORMAT = '%k\t%v';

/** Kafka's console consumer prints a missing key or value as its null.literal, "null". */
const NULL_LITERAL = 'null';

type Part = string | number;

function text(b: Buffer | null): string {
  return b === null ? NULL_LITERAL : b.toString('utf8');
}

function headersText(hs: readonly Header[] | undefined): string {
  if (hs === undefined || hs.length === 0) return 'NO_HEADERS';
  let out = '';
  for (let i = 0; i < hs.length; i++) out += `${i === 0 ? '' : ','}${hs[i].key}:${text(hs[i].value)}`;
  return out;
}

/**
 * A `--format` string compiled once into literal and field parts, then applied to whole fetch
 * batches: one output string per batch, no object per record.
 */
export class RecordFormatter {
  private constructor(private readonly parts: readonly Part[]) {}

  static compile(format: string, usage: string): RecordFormatter {
    const parts: Part[] = [];
    let lit = '';
    for (let i = 0; i < format.length; i++) {
      const c = format[i];
      if (c === '\\' && i + 1 < format.length) {
        const n = format[i + 1];
        const esc = n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '\\' ? '\\' : undefined;
        if (esc !== undefined) {
          lit += esc;
          i++;
          continue;
        }
        lit += c;
      } else if (c === '%') {
        const n = format[i + 1];
        if (n === '%') {
          lit += '%';
        } else if (n !== undefined && Object.hasOwn(FIELDS, n)) {
          if (lit !== '') parts.push(lit);
          lit = '';
          parts.push(FIELDS[n as keyof typeof FIELDS]);
        } else {
          const what = n === undefined ? 'a lone "%" at the end' : `unknown placeholder "%${n}"`;
          throw usageError(`--format ${JSON.stringify(format)} has ${what}. Placeholders: %k %v %T %p %o %t %h %K %V, and %% for a literal %.`, usage, { format });
        }
        i++;
      } else {
        lit += c;
      }
    }
    parts.push(`${lit}\n`);
    return new RecordFormatter(parts);
  }

  /** Records [from, to) of the batch, each formatted and newline-terminated. */
  format(b: FetchBatch, from: number, to: number): string {
    const parts = this.parts;
    let out = '';
    for (let i = from; i < to; i++) {
      for (let j = 0; j < parts.length; j++) {
        const p = parts[j];
        if (typeof p === 'string') {
          out += p;
          continue;
        }
        switch (p) {
          case 1:
            out += text(b.keys[i]);
            break;
          case 2:
            out += text(b.values[i]);
            break;
          case 3:
            out += b.partition;
            break;
          case 4:
            out += b.offsets[i];
            break;
          case 5:
            out += b.timestamps[i];
            break;
          case 6:
            out += b.topic;
            break;
          case 7:
            out += headersText(b.headers[i]);
            break;
          case 8:
            out += b.keys[i]?.length ?? -1;
            break;
          default:
            out += b.values[i]?.length ?? -1;
        }
      }
    }
    return out;
  }
}
