// The KafkaZkApi façade over one ZooKeeper session, composed of one module per znode family as Kafka's KafkaZkClient
// is sectioned: brokers, controller, topics and partition state, configs, admin requests. Every controller write is
// fenced by the /controller_epoch zkVersion (KafkaZkCore).
import type { Logger } from '../util/logger';
import { moduleLogger } from '../util/logger';
import type { KafkaZkApi } from './api';
import { AdminZk } from './AdminZk';
import { AclZk } from './AclZk';
import { EntityConfigZk } from './EntityConfigZk';
import { BrokerZk } from './BrokerZk';
import { ConfigZk } from './ConfigZk';
import { ControllerZk } from './ControllerZk';
import { KafkaZkCore } from './KafkaZkCore';
import { TopicZk } from './TopicZk';
import { ZkClient, type ZkClientOptions } from './ZkClient';

export type KafkaZkClientOptions = ZkClientOptions;

type Api = KafkaZkApi;

export class KafkaZkClient implements KafkaZkApi {
  private readonly core: KafkaZkCore;
  private readonly brokers: BrokerZk;
  private readonly controller: ControllerZk;
  private readonly configs: ConfigZk;
  private readonly topics: TopicZk;
  private readonly admin: AdminZk;
  /** ACL stores and their change notifications (the authorizer's), and /config/users|clients (SCRAM, quotas). */
  readonly acls: AclZk;
  readonly entityConfigs: EntityConfigZk;

  constructor(readonly zk: ZkClient, logger?: Logger) {
    this.core = new KafkaZkCore(zk, logger ?? moduleLogger('zk'));
    this.brokers = new BrokerZk(this.core);
    this.controller = new ControllerZk(this.core);
    this.configs = new ConfigZk(this.core);
    this.topics = new TopicZk(this.core, this.configs);
    this.admin = new AdminZk(this.core);
    this.acls = new AclZk(this.core);
    this.entityConfigs = new EntityConfigZk(this.core);
  }

  /** Connects a new session (see ZkClient.connect for chroot handling and the timeout message). */
  static async connect(connectString: string, opts: KafkaZkClientOptions): Promise<KafkaZkClient> {
    return new KafkaZkClient(await ZkClient.connect(connectString, opts), opts.logger);
  }

  /** czxid of our current /brokers/ids/<id> registration (changes after re-registration). */
  get brokerEpoch(): bigint | null {
    return this.brokers.brokerEpoch;
  }

  // --- cluster id and brokers (BrokerZk)
  readonly ensureBasePaths: Api['ensureBasePaths'] = (...a) => this.brokers.ensureBasePaths(...a);
  readonly getOrCreateClusterId: Api['getOrCreateClusterId'] = (...a) => this.brokers.getOrCreateClusterId(...a);
  readonly registerBroker: Api['registerBroker'] = (...a) => this.brokers.registerBroker(...a);
  readonly getAllBrokers: Api['getAllBrokers'] = (...a) => this.brokers.getAllBrokers(...a);
  readonly onBrokersChange: Api['onBrokersChange'] = (...a) => this.brokers.onBrokersChange(...a);

  // --- controller and controller epoch (ControllerZk)
  readonly getControllerId: Api['getControllerId'] = (...a) => this.controller.getControllerId(...a);
  readonly tryElectController: Api['tryElectController'] = (...a) => this.controller.tryElectController(...a);
  readonly onControllerChange: Api['onControllerChange'] = (...a) => this.controller.onControllerChange(...a);
  readonly getControllerEpoch: Api['getControllerEpoch'] = (...a) => this.controller.getControllerEpoch(...a);

  // --- topics and partition state (TopicZk)
  readonly getAllTopics: Api['getAllTopics'] = (...a) => this.topics.getAllTopics(...a);
  readonly onTopicsChange: Api['onTopicsChange'] = (...a) => this.topics.onTopicsChange(...a);
  readonly getTopicAssignment: Api['getTopicAssignment'] = (...a) => this.topics.getTopicAssignment(...a);
  readonly getTopicAssignments: Api['getTopicAssignments'] = (...a) => this.topics.getTopicAssignments(...a);
  readonly onTopicAssignmentChange: Api['onTopicAssignmentChange'] = (...a) => this.topics.onTopicAssignmentChange(...a);
  readonly createTopic: Api['createTopic'] = (...a) => this.topics.createTopic(...a);
  readonly addPartitions: Api['addPartitions'] = (...a) => this.topics.addPartitions(...a);
  readonly setTopicAssignment: Api['setTopicAssignment'] = (...a) => this.topics.setTopicAssignment(...a);
  readonly assignTopicIds: Api['assignTopicIds'] = (...a) => this.topics.assignTopicIds(...a);
  readonly getPartitionStates: Api['getPartitionStates'] = (...a) => this.topics.getPartitionStates(...a);
  readonly createPartitionStates: Api['createPartitionStates'] = (...a) => this.topics.createPartitionStates(...a);
  readonly updatePartitionStates: Api['updatePartitionStates'] = (...a) => this.topics.updatePartitionStates(...a);

  // --- entity configs and config change notifications (ConfigZk)
  readonly getTopicConfig: Api['getTopicConfig'] = (...a) => this.configs.getTopicConfig(...a);
  readonly setTopicConfig: Api['setTopicConfig'] = (...a) => this.configs.setTopicConfig(...a);
  readonly getBrokerConfig: Api['getBrokerConfig'] = (...a) => this.configs.getBrokerConfig(...a);
  readonly setBrokerConfig: Api['setBrokerConfig'] = (...a) => this.configs.setBrokerConfig(...a);
  readonly getConfigChangeNotifications: Api['getConfigChangeNotifications'] = (...a) => this.configs.getConfigChangeNotifications(...a);
  readonly getConfigChangeNotification: Api['getConfigChangeNotification'] = (...a) => this.configs.getConfigChangeNotification(...a);
  readonly deleteConfigChangeNotification: Api['deleteConfigChangeNotification'] = (...a) => this.configs.deleteConfigChangeNotification(...a);
  readonly onConfigChangeNotifications: Api['onConfigChangeNotifications'] = (...a) => this.configs.onConfigChangeNotifications(...a);

  // --- admin requests: topic deletion, preferred election, reassignment (AdminZk)
  readonly requestTopicDeletion: Api['requestTopicDeletion'] = (...a) => this.admin.requestTopicDeletion(...a);
  readonly getTopicDeletions: Api['getTopicDeletions'] = (...a) => this.admin.getTopicDeletions(...a);
  readonly onTopicDeletionsChange: Api['onTopicDeletionsChange'] = (...a) => this.admin.onTopicDeletionsChange(...a);
  readonly deleteTopicZNodes: Api['deleteTopicZNodes'] = (...a) => this.admin.deleteTopicZNodes(...a);
  readonly getPreferredReplicaElection: Api['getPreferredReplicaElection'] = (...a) => this.admin.getPreferredReplicaElection(...a);
  readonly onPreferredReplicaElection: Api['onPreferredReplicaElection'] = (...a) => this.admin.onPreferredReplicaElection(...a);
  readonly deletePreferredReplicaElection: Api['deletePreferredReplicaElection'] = (...a) => this.admin.deletePreferredReplicaElection(...a);
  readonly getPartitionReassignment: Api['getPartitionReassignment'] = (...a) => this.admin.getPartitionReassignment(...a);
  readonly onPartitionReassignment: Api['onPartitionReassignment'] = (...a) => this.admin.onPartitionReassignment(...a);
  readonly deletePartitionReassignment: Api['deletePartitionReassignment'] = (...a) => this.admin.deletePartitionReassignment(...a);

  // --- session
  readonly onSessionReestablished: Api['onSessionReestablished'] = (...a) => this.core.onSessionReestablished(...a);
  readonly onSessionExpired: Api['onSessionExpired'] = (...a) => this.core.onSessionExpired(...a);
  readonly close: Api['close'] = (...a) => this.core.close(...a);
}
