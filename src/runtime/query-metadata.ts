import type { Backend, GroupMemberMetadata, GroupMetadata, LogConsumer, TopicPartition } from '../backend/backend-types.js';
import { partitionForKey } from '../backend/partitioner.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Serializer } from '../graph/serde-types.js';
import { globalSubtopologies, type Subtopology } from '../graph/subtopology.js';
import type { Topology } from '../graph/topology.js';
import type { AppState } from './app-state.js';
import type { StreamsConfig } from './streams-config.js';
import type { TopicPlan } from './topic-setup.js';

/**
 * Where one key of a store lives (Kafka Streams' KeyQueryMetadata): the partition of the key in the
 * store's source topic, the task that owns that partition, and the instance running that task.
 */
export interface KeyQueryMetadata {
  /** The owner's `application.server`; undefined when the owner set none, or no member owns the
   * partition right now (`memberId` undefined: mid-rebalance, ask again). */
  readonly activeHost: string | undefined;
  /** Group member id of the owning instance's stream thread. */
  readonly memberId: string | undefined;
  /** Partition of the key in the source topic; -1 for a global store. */
  readonly partition: number;
  /** e.g. "0_3"; undefined for a global store (every instance holds all of it). */
  readonly taskId: string | undefined;
  /** True when this instance owns the key: app.store(name) answers for it here. */
  readonly local: boolean;
}

/** One instance of the application (Kafka Streams' StreamsMetadata): one group member. */
export interface StreamsMetadata {
  /** Its `application.server`; undefined when it set none. */
  readonly host: string | undefined;
  readonly memberId: string;
  /** True for this instance. */
  readonly local: boolean;
  /** Stores of its tasks plus every global store, sorted. */
  readonly stateStoreNames: readonly string[];
  /** Its assigned source partitions, sorted by topic then partition. */
  readonly topicPartitions: readonly TopicPartition[];
  /** Its tasks, sorted like StreamsApp.activeTasks(). */
  readonly taskIds: readonly string[];
}

/** What the resolver reads from the running app. */
export interface QueryMetadataSource {
  readonly topology: Topology;
  readonly config: StreamsConfig;
  state(): AppState;
  /** Topic partition counts, known once the app set up its topics. */
  plan(): TopicPlan | undefined;
  /** The stream thread consumer's view of the group. */
  groupMetadata(): GroupMetadata | undefined;
}

const byTopicPartition = (a: TopicPartition, b: TopicPartition) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);
const byTaskId = (a: string, b: string) => {
  const [sa, pa] = a.split('_').map(Number);
  const [sb, pb] = b.split('_').map(Number);
  return sa - sb || pa - pb;
};

/**
 * Answers KafkaStreams.queryMetadataForKey / streamsMetadataForStore / metadataForAllStreamsClients
 * from the group assignment (every member's partitions and application.server, shared through the
 * group protocol) and the topology (which sub-topology reads which topic and holds which store).
 */
export class QueryMetadataResolver {
  private readonly globalStores: ReadonlySet<string>;

  constructor(private readonly src: QueryMetadataSource) {
    this.globalStores = new Set(globalSubtopologies(src.topology.nodes).flatMap((s) => s.stores));
  }

  /** Every instance in the group, sorted by member id. */
  allClients(): StreamsMetadata[] {
    const { group, plan } = this.ready('metadataForAllStreamsClients()');
    const topicToSub = this.topicToSubtopology(plan);
    const globals = [...this.globalStores];
    return group.members.map((m) => this.describeMember(m, group.memberId, topicToSub, globals));
  }

  /** The instances that run a task holding store `name` (every instance for a global store). */
  forStore(name: string): StreamsMetadata[] {
    this.storeSpec(name);
    const all = this.allClients();
    return all.filter((c) => c.stateStoreNames.includes(name));
  }

  /** Where `key` of store `name` lives. `keySerializer` must write the key as the source topic holds
   * it; by default the store's key serde, else default.key.serde. */
  forKey<K>(name: string, key: K, keySerializer?: Serializer<K>): KeyQueryMetadata {
    const spec = this.storeSpec(name);
    const { group, plan } = this.ready(`queryMetadataForKey("${name}")`);
    if (this.globalStores.has(name)) {
      return { activeHost: this.src.config.applicationServer, memberId: group.memberId, partition: -1, taskId: undefined, local: true };
    }
    const sub = this.src.topology.subtopologies.find((s) => s.stores.includes(name));
    if (sub === undefined) {
      throw new StreamwrightError('STATE_STORE', `State store "${name}" is not connected to any processor, so no task holds it. Connect it to a processor or query another store.`, { store: name });
    }
    const { topic, partitions } = this.widestSource(sub, plan, name);
    const serializer = (keySerializer ?? spec.keySerde ?? this.src.config.defaultKeySerde) as Serializer<K> | undefined;
    if (serializer === undefined) {
      throw new StreamwrightError('SERDE_MISSING', `queryMetadataForKey("${name}") needs the key's bytes in topic "${topic}", but store "${name}" has no key serde and no default.key.serde is set. Pass a keySerializer.`, { store: name, topic });
    }
    const bytes = serializeKey(serializer, topic, key, name);
    const partition = partitionForKey(bytes, partitions);
    const owner = group.members.find((m) => m.partitions.some((tp) => tp.topic === topic && tp.partition === partition));
    return {
      activeHost: owner?.host,
      memberId: owner?.memberId,
      partition,
      taskId: `${sub.id}_${partition}`,
      local: owner !== undefined && owner.memberId === group.memberId,
    };
  }

  private storeSpec(name: string) {
    const spec = this.src.topology.store(name);
    if (spec === undefined) {
      const known = this.src.topology.stores.map((s) => s.name).join(', ') || 'none';
      throw new StreamwrightError('STATE_STORE', `No state store "${name}" in this topology. Queryable stores: ${known}.`, { store: name });
    }
    return spec;
  }

  private ready(call: string): { group: GroupMetadata; plan: TopicPlan } {
    const state = this.src.state();
    if (state !== 'RUNNING' && state !== 'REBALANCING') {
      throw new StreamwrightError('APP_STATE', `${call} needs a started app (RUNNING or REBALANCING); this one is ${state}. ${state === 'CREATED' ? 'Call start() and waitUntilRunning() first.' : 'Create and start a new StreamsApp.'}`, { state });
    }
    const group = this.src.groupMetadata();
    const plan = this.src.plan();
    if (group === undefined || plan === undefined) {
      throw new StreamwrightError('APP_STATE', `${call}: this instance has not joined its group "${this.src.config.applicationId}" yet (state ${state}), so it does not know who hosts what. Wait for waitUntilRunning() and call again.`, { state });
    }
    return { group, plan };
  }

  /** Actual topic name -> the task-creating sub-topology that reads it. */
  private topicToSubtopology(plan: TopicPlan): Map<string, Subtopology> {
    const out = new Map<string, Subtopology>();
    for (const sub of this.src.topology.subtopologies) for (const t of this.topicsOf(sub, plan)) out.set(t, sub);
    return out;
  }

  private topicsOf(sub: Subtopology, plan: TopicPlan): string[] {
    const app = this.src.config.applicationId;
    const topics = [...sub.sourceTopics, ...sub.internalSourceTopics.map((t) => `${app}-${t}`)];
    for (const p of sub.sourcePatterns) {
      const re = new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
      for (const t of plan.sourceTopics) if (re.test(t) && !topics.includes(t)) topics.push(t);
    }
    return topics;
  }

  /** The source topic with the most partitions (Kafka Streams' topicWithMostPartitions). */
  private widestSource(sub: Subtopology, plan: TopicPlan, store: string): { topic: string; partitions: number } {
    let best: { topic: string; partitions: number } | undefined;
    for (const topic of this.topicsOf(sub, plan)) {
      const partitions = plan.partitions.get(topic);
      if (partitions !== undefined && (best === undefined || partitions > best.partitions)) best = { topic, partitions };
    }
    if (best === undefined) {
      throw new StreamwrightError('APP_STATE', `Cannot place keys of store "${store}": the partition count of its source topics (${this.topicsOf(sub, plan).join(', ')}) is unknown to this instance. Wait for waitUntilRunning() and call again.`, { store });
    }
    return best;
  }

  private describeMember(m: GroupMemberMetadata, self: string, topicToSub: ReadonlyMap<string, Subtopology>, globals: readonly string[]): StreamsMetadata {
    const tasks = new Set<string>();
    const stores = new Set<string>(globals);
    for (const tp of m.partitions) {
      const sub = topicToSub.get(tp.topic);
      if (sub === undefined) continue; // a topic of another topology version: no task of ours
      tasks.add(`${sub.id}_${tp.partition}`);
      for (const s of sub.stores) stores.add(s);
    }
    return {
      host: m.host,
      memberId: m.memberId,
      local: m.memberId === self,
      stateStoreNames: [...stores].sort(),
      topicPartitions: [...m.partitions].sort(byTopicPartition),
      taskIds: [...tasks].sort(byTaskId),
    };
  }
}

function serializeKey<K>(serializer: Serializer<K>, topic: string, key: K, store: string): Buffer {
  let bytes: Buffer | null;
  try {
    bytes = serializer.serialize(topic, key);
  } catch (err) {
    throw new StreamwrightError('SERIALIZATION', `Cannot serialize the key ${describe(key)} for store "${store}" (topic "${topic}"): ${(err as Error).message}. Pass a keySerializer that matches the source topic's keys.`, { store, topic }, { cause: err });
  }
  if (bytes === null) {
    throw new StreamwrightError('SERIALIZATION', `The key ${describe(key)} of store "${store}" serialized to null, which has no partition in topic "${topic}". Query with a non-null key.`, { store, topic });
  }
  return bytes;
}

function describe(key: unknown): string {
  try {
    const s = typeof key === 'string' ? JSON.stringify(key) : String(JSON.stringify(key) ?? key);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(key);
  }
}

/**
 * The backend as the stream thread sees it: its group consumer (the one with group.id =
 * application.id) advertises `application.server`, and is handed to `onGroupConsumer` so the app
 * can read its group metadata. Everything else passes through untouched.
 */
export function advertisingBackend(backend: Backend, config: StreamsConfig, onGroupConsumer: (consumer: LogConsumer) => void): Backend {
  return {
    kind: backend.kind,
    description: backend.description,
    admin: () => backend.admin(),
    producer: (opts) => backend.producer(opts),
    consumer: (opts) => {
      if (opts.groupId !== config.applicationId) return backend.consumer(opts);
      const consumer = backend.consumer(config.applicationServer === undefined ? opts : { ...opts, applicationServer: config.applicationServer });
      onGroupConsumer(consumer);
      return consumer;
    },
    close: () => backend.close(),
  };
}
