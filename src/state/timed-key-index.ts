/**
 * The keys of a window or session store: key -> its windows (KeySlots), by the key itself when
 * primitive, else by its serialized bytes (latin1). Remembers the last key looked up, since the
 * window aggregate reads a window and then writes it. The by-bytes index, needed only to apply
 * stored bytes (LevelDB load, changelog restore), is built on first use and kept up to date from then on.
 */
import type { Serde } from '../graph/serde-types.js';
import { bytesId, isPrimitiveKey, serializeKey, type KeyId } from './key-codec.js';
import type { KeySlots } from './timed-slots.js';

/** A key's id in the key map: the key itself when primitive, else its bytes as latin1 (derived,
 * not stored: one field less per key). */
function idOf<K, V>(ks: KeySlots<K, V>): KeyId {
  return isPrimitiveKey(ks.key) ? (ks.key as KeyId) : ks.keyId;
}

export class TimedKeyIndex<K, V> {
  private readonly byId = new Map<KeyId, KeySlots<K, V>>();
  private readonly byBytes = new Map<string, KeySlots<K, V>>();
  private byBytesBuilt = false;
  /** The key of the last lookup and its slots. */
  private lastKey: unknown = undefined;
  private lastSlots: KeySlots<K, V> | undefined = undefined;

  constructor(
    private readonly keySerde: Serde<K>,
    private readonly store: string,
  ) {}

  /** The key's slots; with `create`, new (empty) ones if absent. Serde errors leave nothing changed. */
  slotsFor(key: K, create: boolean, topic: string): KeySlots<K, V> | undefined {
    // Only primitive keys are memoized: equal primitives are the same key (an object key could be mutated).
    if (key === this.lastKey && this.lastSlots !== undefined && isPrimitiveKey(key)) return this.lastSlots;
    let keyId = isPrimitiveKey(key) ? undefined : bytesId(serializeKey(this.keySerde, topic, key, this.store));
    const id = keyId === undefined ? (key as KeyId) : keyId;
    let ks = this.byId.get(id);
    if (ks === undefined && create) {
      keyId ??= bytesId(serializeKey(this.keySerde, topic, key, this.store));
      ks = { key, keyId, slots: [] };
      this.byId.set(id, ks);
      if (this.byBytesBuilt) this.byBytes.set(keyId, ks);
    }
    if (ks !== undefined) {
      this.lastKey = key;
      this.lastSlots = ks;
    }
    return ks;
  }

  /** The slots of a serialized key (latin1 id); with `create`, new ones for the deserialized key. */
  slotsForBytes(keyBytes: Buffer, create: boolean, topic: string): KeySlots<K, V> | undefined {
    if (!this.byBytesBuilt) {
      for (const k of this.byId.values()) this.byBytes.set(k.keyId, k);
      this.byBytesBuilt = true;
    }
    const bid = bytesId(keyBytes);
    let ks = this.byBytes.get(bid);
    if (ks === undefined && create) {
      const key = this.keySerde.deserialize(topic, keyBytes);
      ks = { key, keyId: bid, slots: [] };
      this.byId.set(idOf(ks), ks);
      this.byBytes.set(bid, ks);
    }
    return ks;
  }

  forget(ks: KeySlots<K, V>): void {
    if (this.lastSlots === ks) this.lastSlots = this.lastKey = undefined;
    const id = idOf(ks);
    if (this.byId.get(id) !== ks) return;
    this.byId.delete(id);
    if (this.byBytesBuilt) this.byBytes.delete(ks.keyId);
  }

  values(): IterableIterator<KeySlots<K, V>> {
    return this.byId.values();
  }

  clear(): void {
    this.byId.clear();
    this.byBytes.clear();
    this.byBytesBuilt = false;
    this.lastKey = this.lastSlots = undefined;
  }
}
