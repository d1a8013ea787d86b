import type { Serde } from './serde-types.js';

export type StoreType = 'keyValue' | 'window' | 'session';

/** A state store the topology needs; the runtime builds one instance per task. */
export interface StoreSpec {
  readonly name: string;
  readonly type: StoreType;
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  /** LevelDB when true (default), in memory when false. */
  readonly persistent: boolean;
  /** Back the store with `<application.id>-<name>-changelog`. */
  readonly logging: boolean;
  readonly loggingConfig: Readonly<Record<string, string>>;
  readonly caching: boolean;
  /** Window and session stores: how long data is kept. */
  readonly retentionMs?: number;
  readonly windowSizeMs?: number;
  readonly retainDuplicates?: boolean;
  /** Window stores: how the runtime lays windows out. 'by-window' suits windows whose starts are
   * multiples of an advance (tumbling, hopping); 'by-key' (default) suits starts that follow record
   * timestamps (join buffers, sliding windows). */
  readonly windowLayout?: 'by-window' | 'by-key';
}
