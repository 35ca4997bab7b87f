// Kafka's topic name rules (Topic.validate) as a message, for handlers that answer a bad name per topic rather than fail.
import { ControllerApiError } from '../controller/errors';
import { validateTopicName } from '../controller/ReplicaAssignment';

/** Kafka's InvalidTopicException message for `name`, or null when the name is legal. */
export function invalidTopicMessage(name: string): string | null {
  try {
    validateTopicName(name);
    return null;
  } catch (e) {
    if (e instanceof ControllerApiError) return e.message;
    throw e;
  }
}
