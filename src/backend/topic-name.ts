export { validateTopicName } from '../graph/topic-name.js';
