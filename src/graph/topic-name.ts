import { StreamwrightError } from '../errors/streamwright-error.js';

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Kafka's topic-name rules: 1..249 chars of [a-zA-Z0-9._-], not "." or "..". */
export function validateTopicName(name: string): void {
  const bad =
    typeof name !== 'string' || name.length === 0 || name.length > 249 || name === '.' || name === '..' || !LEGAL.test(name);
  if (bad) {
    throw new StreamwrightError(
      'TOPIC_INVALID_NAME',
      `Invalid topic name ${JSON.stringify(name)}: a topic name is 1 to 249 characters of letters, digits, '.', '_' and '-', and not "." or "..".`,
      { topic: name },
    );
  }
}
