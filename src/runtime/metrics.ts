/**
 * Counters an app exposes through app.metrics(). Names follow Kafka Streams where one exists
 * (e.g. dropped-records-total); tags say where (task, node, reason).
 */
export interface MetricValue {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly value: number;
}

export class Metrics {
  private readonly counters = new Map<string, { name: string; tags: Record<string, string>; value: number }>();

  /** The counter cell for name+tags; keep it and bump `.value` in hot paths. */
  counter(name: string, tags: Record<string, string> = {}): { value: number } {
    const id = `${name}|${Object.entries(tags).sort().map(([k, v]) => `${k}=${v}`).join(',')}`;
    let c = this.counters.get(id);
    if (!c) this.counters.set(id, (c = { name, tags: { ...tags }, value: 0 }));
    return c;
  }

  increment(name: string, tags: Record<string, string> = {}, by = 1): void {
    this.counter(name, tags).value += by;
  }

  /** Sum of a counter over all tag sets matching `filter`. */
  total(name: string, filter: Record<string, string> = {}): number {
    let sum = 0;
    for (const c of this.counters.values()) {
      if (c.name !== name) continue;
      if (Object.entries(filter).every(([k, v]) => c.tags[k] === v)) sum += c.value;
    }
    return sum;
  }

  snapshot(): MetricValue[] {
    return [...this.counters.values()].map((c) => ({ name: c.name, tags: { ...c.tags }, value: c.value }));
  }
}
