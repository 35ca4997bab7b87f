// /cluster/id and /brokers/ids: the cluster id and broker registration (ephemeral, re-created after session expiry).
import { BrokerIdAlreadyRegisteredError, type BrokerRegistration, type Unsubscribe } from './api';
import type { KafkaZkCore } from './KafkaZkCore';
import { NoNodeError, NodeExistsError } from './ZkClient';
import { BrokerIdZNode, BrokerIdsZNode, ClusterIdZNode, PERSISTENT_PATHS } from './znodes';

export class BrokerZk {
  private registration: BrokerRegistration | null = null;
  private currentBrokerEpoch: bigint | null = null;

  constructor(private readonly c: KafkaZkCore) {
    c.beforeRearm = () => this.reregister();
  }

  /** czxid of our current /brokers/ids/<id> registration (changes after re-registration). */
  get brokerEpoch(): bigint | null {
    return this.currentBrokerEpoch;
  }

  /** Runs after session expiry, before watches are re-armed: re-creates our registration. */
  private async reregister(): Promise<void> {
    if (this.registration) {
      // Keep trying: a broker without its registration is invisible to the controller.
      for (let attempt = 0; !this.c.isClosed; attempt++) {
        try {
          await this.doRegisterBroker(this.registration);
          break;
        } catch (e) {
          if (e instanceof BrokerIdAlreadyRegisteredError) {
            this.c.log.error({ err: e }, 'could not re-register broker after session expiry');
            break;
          }
          this.c.log.warn({ err: e, attempt }, 're-registering broker failed; retrying');
          await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
        }
      }
    }
  }

  async ensureBasePaths(): Promise<void> {
    await Promise.all(PERSISTENT_PATHS.map((p) => this.c.zk.createRecursive(p)));
  }

  async getOrCreateClusterId(proposedId: string): Promise<string> {
    try {
      return ClusterIdZNode.decode((await this.c.zk.getData(ClusterIdZNode.path)).data);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
    await this.c.zk.createRecursive('/cluster');
    try {
      await this.c.zk.create(ClusterIdZNode.path, ClusterIdZNode.encode(proposedId));
      return proposedId;
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      return ClusterIdZNode.decode((await this.c.zk.getData(ClusterIdZNode.path)).data);
    }
  }

  async registerBroker(reg: BrokerRegistration): Promise<bigint> {
    const epoch = await this.doRegisterBroker(reg);
    this.registration = reg;
    return epoch;
  }

  private async doRegisterBroker(reg: BrokerRegistration): Promise<bigint> {
    const path = BrokerIdZNode.path(reg.id);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.c.zk.create(path, BrokerIdZNode.encode(reg), 'ephemeral');
      } catch (e) {
        if (e instanceof NoNodeError && attempt < 3) {
          await this.c.zk.createRecursive(BrokerIdsZNode.path);
          continue;
        }
        if (!(e instanceof NodeExistsError)) throw e;
        // Ours from this session (a create retried after a connection loss) is fine; anyone else's is not.
        const existing = await this.c.zk.exists(path);
        if (!existing) continue; // vanished meanwhile: try again
        if (existing.ephemeralOwner !== this.c.zk.sessionId) throw new BrokerIdAlreadyRegisteredError(reg.id);
      }
      const stat = await this.c.zk.exists(path);
      if (!stat) continue;
      this.currentBrokerEpoch = stat.czxid;
      this.c.log.info({ brokerId: reg.id, brokerEpoch: String(stat.czxid) }, 'registered broker in ZooKeeper');
      return stat.czxid;
    }
  }

  async getAllBrokers(): Promise<BrokerRegistration[]> {
    let ids: string[];
    try {
      ids = await this.c.zk.getChildren(BrokerIdsZNode.path);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
    const brokers = await Promise.all(
      ids.map(async (s): Promise<BrokerRegistration | null> => {
        const id = Number(s);
        try {
          const { data, stat } = await this.c.zk.getData(BrokerIdZNode.path(id));
          return { ...BrokerIdZNode.decode(id, data), epoch: stat.czxid };
        } catch (e) {
          if (e instanceof NoNodeError) return null; // left between list and read
          throw e;
        }
      }),
    );
    return brokers.filter((b): b is BrokerRegistration => b !== null).sort((a, b) => a.id - b.id);
  }

  onBrokersChange(cb: () => void): Unsubscribe {
    return this.c.subscribe('children', BrokerIdsZNode.path, cb);
  }
}
