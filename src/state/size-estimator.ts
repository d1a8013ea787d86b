/**
 * Approximate heap bytes of a cached JS value, for the cache byte budget
 * (statestore.cache.max.bytes). Cheap and bounded: walks at most a few levels and a sample of
 * an object's fields, extrapolating the rest. Not exact, but monotone enough to bound memory.
 */
const ENTRY_OVERHEAD = 64;
const MAX_DEPTH = 3;
const MAX_FIELDS = 32;
/** A plain object's header (map, properties, elements) and one field's slot, on 64-bit V8. */
const OBJECT_HEADER = 24;
const FIELD_SLOT = 8;

export function approxSize(v: unknown, depth = 0): number {
  switch (typeof v) {
    case 'string':
      return 16 + 2 * v.length;
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8;
    case 'bigint':
      return 16;
    case 'object': {
      if (v === null) return 8;
      // A plain object is neither (checked first: two instanceof walks per cached update add up).
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null && (Buffer.isBuffer(v) || v instanceof Uint8Array)) return 48 + v.byteLength;
      if (depth >= MAX_DEPTH) return 64;
      if (Array.isArray(v)) {
        const n = v.length;
        let s = 0;
        const m = n < MAX_FIELDS ? n : MAX_FIELDS;
        for (let i = 0; i < m; i++) {
          const e: unknown = v[i];
          s += typeof e === 'number' ? 8 : approxSize(e, depth + 1);
        }
        return 32 + 8 * n + (m === 0 ? 0 : (s * n) / m);
      }
      let s = 0;
      let seen = 0;
      let total = 0;
      for (const k in v as Record<string, unknown>) {
        total++;
        if (seen < MAX_FIELDS) {
          seen++;
          const f = (v as Record<string, unknown>)[k];
          // A field is a slot of the object; its name lives in the hidden class the objects of one
          // shape share (or, for a dictionary-mode object, is an interned string), so it costs
          // the object nothing. Numbers inline (the common aggregate field): same 8 as approxSize;
          // strings (a name, a currency: the next most common field) too, as approxSize counts them.
          s += FIELD_SLOT + (typeof f === 'number' ? 8 : typeof f === 'string' ? 16 + 2 * f.length : approxSize(f, depth + 1));
        }
      }
      return OBJECT_HEADER + (seen === 0 ? 0 : (s * total) / seen);
    }
    default:
      return 16;
  }
}

/** entrySize() of an entry whose key is a Buffer of `keyLength` bytes, without the Buffer. */
export function entrySizeForKeyBytes(keyLength: number, value: unknown): number {
  return ENTRY_OVERHEAD + 48 + keyLength + approxSize(value);
}

/** Bytes one cache entry costs: key + value + bookkeeping. */
export function entrySize(key: unknown, value: unknown): number {
  return ENTRY_OVERHEAD + approxSize(key) + approxSize(value);
}
