export type {
  CacheFlushListener,
  KeyValueEntry,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  SessionStore,
  StoreBuildOptions,
  StoreContext,
  StoreLifecycle,
  WindowStore,
  Windowed,
} from './store-types.js';
export { createKeyValueStore, type KeyValueStoreTuning } from './kv-store-factory.js';
export { createWindowStore } from './window-store.js';
export { createSessionStore } from './session-store.js';
export { changelogTopicConfig, changelogTopicName, changelogTopicSpec, WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS } from './changelog-topic-config.js';
export { TaskStateManager, type ManagedStore, type StoreRestoreSummary, type TaskStateManagerOptions } from './task-state-manager.js';
export type { RestoreProgress } from './changelog-restorer.js';
export { CHECKPOINT_FILE } from './checkpoint-file.js';
