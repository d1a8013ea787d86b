export { TopologyTestDriver } from './topology-test-driver.js';
export { TestInputTopic } from './test-input-topic.js';
export type { InputTopicOptions } from './test-input-topic.js';
export { TestOutputTopic } from './test-output-topic.js';
export type { TestRecord } from './test-record.js';
