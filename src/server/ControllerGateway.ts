// The requests only the active controller serves (topic and partition admin, elections, reassignments, AlterIsr,
// ControlledShutdown): handlers reach this broker's controller through here, and only while it is the active one.
import { ElectionType, type KafkaController, type OngoingReassignment } from '../controller/KafkaController';
import { ControllerApiError } from '../controller/errors';
import { ErrorCode } from '../protocol/errors';

export { ElectionType };

/** What handlers may ask of the active controller (the requests Kafka's KafkaApis hands to its controller). */
export interface ActiveController
  extends Pick<KafkaController, 'createTopics' | 'deleteTopics' | 'createPartitions' | 'electLeaders' | 'alterPartitionReassignments' | 'alterIsr' | 'controlledShutdown'> {
  /** Ongoing reassignments (`partitions` null: all); null when the controller stopped being the active one meanwhile. */
  listPartitionReassignments(partitions: Parameters<KafkaController['listPartitionReassignments']>[0]): Promise<OngoingReassignment[] | null>;
}

export interface ControllerGateway {
  /** This broker's controller while it is the active one, else null: handlers then answer NOT_CONTROLLER. */
  active(): ActiveController | null;
}

export function controllerGateway(controller: KafkaController): ControllerGateway {
  const active: ActiveController = {
    createTopics: (topics, opts) => controller.createTopics(topics, opts),
    deleteTopics: (names, timeoutMs) => controller.deleteTopics(names, timeoutMs),
    createPartitions: (topics, opts) => controller.createPartitions(topics, opts),
    electLeaders: (partitions, electionType) => controller.electLeaders(partitions, electionType),
    alterPartitionReassignments: (reassignments, timeoutMs) => controller.alterPartitionReassignments(reassignments, timeoutMs),
    alterIsr: (request) => controller.alterIsr(request),
    controlledShutdown: (brokerId, brokerEpoch) => controller.controlledShutdown(brokerId, brokerEpoch),
    listPartitionReassignments: async (partitions) => {
      try {
        return await controller.listPartitionReassignments(partitions);
      } catch (err) {
        if (err instanceof ControllerApiError && err.errorCode === ErrorCode.NOT_CONTROLLER) return null;
        throw err;
      }
    },
  };
  return { active: () => (controller.isActive ? active : null) };
}
