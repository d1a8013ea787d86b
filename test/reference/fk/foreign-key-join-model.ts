/**
 * Reference model of a foreign-key KTable-KTable join, in plain TS with no Streamwright code: the
 * result for left key k is a function of the two tables' current contents only.
 *   inner: joiner(L[k], R[fk(L[k])]) when L[k], its foreign key and that right row all exist, else none;
 *   left:  joiner(L[k], R[fk(L[k])] ?? null) whenever L[k] exists.
 */
export type Joiner<V, VO, VR> = (value: V, foreign: VO | null) => VR;

export class ForeignKeyJoinModel<V, VO, VR> {
  readonly left = new Map<string, V>();
  readonly right = new Map<string, VO>();

  constructor(
    private readonly foreignKey: (value: V) => string | null,
    private readonly joiner: Joiner<V, VO, VR>,
    private readonly leftJoin: boolean,
  ) {}

  /** null value = delete (a tombstone). */
  putLeft(key: string, value: V | null): void {
    if (value === null) this.left.delete(key);
    else this.left.set(key, value);
  }

  putRight(key: string, value: VO | null): void {
    if (value === null) this.right.delete(key);
    else this.right.set(key, value);
  }

  /** The join result for one left key; undefined when there is none. */
  result(key: string): VR | undefined {
    const v = this.left.get(key);
    if (v === undefined) return undefined;
    const fk = this.foreignKey(v);
    const r = fk === null ? undefined : this.right.get(fk);
    if (r === undefined) return this.leftJoin ? this.joiner(v, null) : undefined;
    return this.joiner(v, r);
  }

  /** The whole result table. */
  results(): Map<string, VR> {
    const out = new Map<string, VR>();
    for (const k of this.left.keys()) {
      const r = this.result(k);
      if (r !== undefined) out.set(k, r);
    }
    return out;
  }
}

/** One step of a random run: an upsert or tombstone on one side. */
export interface FkStep {
  readonly side: 'left' | 'right';
  readonly key: string;
  /** Left values are {fk, n}; right values are strings; null deletes. */
  readonly value: LeftRow | string | null;
}

export interface LeftRow {
  readonly fk: string | null;
  readonly n: number;
}

/** Random steps: foreign-key changes, null foreign keys and tombstones on both sides. */
export function randomFkSteps(rand: () => number, count: number, opts: { leftKeys: number; foreignKeys: number }): FkStep[] {
  const steps: FkStep[] = [];
  for (let i = 0; i < count; i++) {
    const side = rand() < 0.6 ? 'left' : 'right';
    if (side === 'left') {
      const key = `k${Math.floor(rand() * opts.leftKeys)}`;
      const r = rand();
      const value = r < 0.15 ? null : { fk: r < 0.22 ? null : `f${Math.floor(rand() * opts.foreignKeys)}`, n: i };
      steps.push({ side, key, value });
    } else {
      const key = `f${Math.floor(rand() * opts.foreignKeys)}`;
      steps.push({ side, key, value: rand() < 0.2 ? null : `${key}#${i}` });
    }
  }
  return steps;
}

/** The joiner every FK test uses: it names the foreign key and right value it joined, so a
 * result built from a stale foreign key is visible in the output. */
export function describeJoin(value: LeftRow, foreign: string | null): string {
  return `${value.n}|${value.fk ?? '-'}|${foreign ?? 'null'}`;
}
