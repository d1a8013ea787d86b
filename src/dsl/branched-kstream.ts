import type { Predicate } from '../graph/processor-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Branched } from './dsl-options.js';
import { KStream } from './kstream.js';

/**
 * The result of split(): add branches with branch(), finish with defaultBranch() or noDefaultBranch().
 * Each record goes to the first branch whose predicate holds; with no default branch, records
 * matching nothing are dropped. Branch streams are keyed "<prefix><name>" (or "<prefix><n>",
 * 1-based, for unnamed branches; "<prefix>0" for an unnamed default), as in Kafka Streams.
 */
export class BranchedKStream<K, V> {
  private readonly predicates: Predicate<unknown, unknown>[] = [];
  private readonly names: string[] = [];
  private done = false;

  /** @internal */
  constructor(
    private readonly parent: KStream<K, V>,
    private readonly nodeName: string,
    private readonly prefix: string,
  ) {}

  branch(predicate: Predicate<K, V>, branched: Branched = {}): this {
    this.checkOpen();
    this.predicates.push(predicate as Predicate<unknown, unknown>);
    this.names.push(this.prefix + (branched.name ?? String(this.names.length + 1)));
    return this;
  }

  /** Finishes the split with a branch for everything no other predicate matched. */
  defaultBranch(branched: Branched = {}): Map<string, KStream<K, V>> {
    this.checkOpen();
    this.predicates.push(() => true);
    this.names.push(this.prefix + (branched.name ?? '0'));
    return this.finish();
  }

  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.finish();
  }

  private checkOpen(): void {
    if (this.done) {
      throw new StreamwrightError('TOPOLOGY_INVALID', `split "${this.nodeName}" was already finished with defaultBranch()/noDefaultBranch(); add every branch() before finishing.`, { name: this.nodeName });
    }
  }

  private finish(): Map<string, KStream<K, V>> {
    this.checkOpen();
    this.done = true;
    const b = this.parent.builder;
    // Check every name before adding anything, so a clash leaves no half-built split in the graph.
    const clash = [this.nodeName, ...this.names].find((n, i, all) => all.indexOf(n) !== i || b.hasNode(n));
    if (clash !== undefined) {
      throw new StreamwrightError('TOPOLOGY_DUPLICATE_NAME', `split "${this.nodeName}" would use the name "${clash}" twice. Give each branch a unique name (Branched { name }).`, { name: clash });
    }
    b.addNode({ kind: 'branch', name: this.nodeName, parents: [this.parent.nodeName], stores: [], predicates: this.predicates, branches: this.names });
    const out = new Map<string, KStream<K, V>>();
    for (const name of this.names) {
      b.addNode({ kind: 'passthrough', name, parents: [this.nodeName], stores: [] });
      out.set(name, new KStream<K, V>(b, name, this.parent.state));
    }
    return out;
  }
}
