import type { FlushScheduler } from './flush-scheduler.js';
import type { GroupCoordinator } from './group-coordinator.js';
import type { OffsetStore } from './offset-store.js';
import type { TopicRegistry } from './topic-registry.js';
import type { TransactionCoordinator } from './transaction-coordinator.js';
import type { WakeNotifier } from './wake-notifier.js';

/** What producers, consumers and the admin share inside one open embedded backend. */
export interface EmbeddedContext {
  readonly dataDir: string;
  readonly topics: TopicRegistry;
  readonly offsets: OffsetStore;
  readonly txns: TransactionCoordinator;
  readonly groups: GroupCoordinator;
  readonly flusher: FlushScheduler;
  readonly notifier: WakeNotifier;
  /** Throws LOG_CLOSED once the backend is closed. */
  ensureOpen(): void;
}
