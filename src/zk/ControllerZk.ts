// /controller and /controller_epoch: controller election and the epoch that fences every controller write.
import type { Unsubscribe } from './api';
import type { KafkaZkCore } from './KafkaZkCore';
import { BadVersionError, NodeExistsError } from './ZkClient';
import { ControllerEpochZNode, ControllerZNode } from './znodes';

export class ControllerZk {
  constructor(private readonly c: KafkaZkCore) {}

  async getControllerId(): Promise<number | null> {
    const r = await this.c.getDataIfExists(ControllerZNode.path);
    return r && ControllerZNode.decode(r.data);
  }

  async getControllerEpoch(): Promise<{ epoch: number; zkVersion: number } | null> {
    const r = await this.c.getDataIfExists(ControllerEpochZNode.path);
    return r && { epoch: ControllerEpochZNode.decode(r.data), zkVersion: r.stat.version };
  }

  /**
   * As Kafka's registerControllerAndIncrementControllerEpoch: create /controller_epoch with 0 if absent,
   * then one multi creates the ephemeral /controller and bumps the epoch conditionally on its zkVersion.
   */
  async tryElectController(brokerId: number): Promise<{ epoch: number; epochZkVersion: number } | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      let current = await this.getControllerEpoch();
      if (!current) {
        try {
          await this.c.zk.create(ControllerEpochZNode.path, ControllerEpochZNode.encode(ControllerEpochZNode.initialEpoch));
          current = { epoch: ControllerEpochZNode.initialEpoch, zkVersion: 0 };
        } catch (e) {
          if (!(e instanceof NodeExistsError)) throw e;
          continue; // someone else created it: read it again
        }
      }
      const newEpoch = current.epoch + 1;
      try {
        const results = await this.c.zk.multi([
          { type: 'create', path: ControllerZNode.path, data: ControllerZNode.encode(brokerId), mode: 'ephemeral' },
          { type: 'setData', path: ControllerEpochZNode.path, data: ControllerEpochZNode.encode(newEpoch), version: current.zkVersion },
        ]);
        const r = results[1];
        const zkVersion = r && r.type === 'setData' ? r.stat.version : current.zkVersion + 1;
        return { epoch: newEpoch, epochZkVersion: zkVersion };
      } catch (e) {
        if (e instanceof NodeExistsError && e.opIndex === 0) {
          // Our own earlier attempt may have succeeded before a connection loss.
          const stat = await this.c.zk.exists(ControllerZNode.path);
          const again = await this.getControllerEpoch();
          if (stat && stat.ephemeralOwner === this.c.zk.sessionId && again && again.epoch === newEpoch) {
            return { epoch: again.epoch, epochZkVersion: again.zkVersion };
          }
          return null;
        }
        // The epoch moved under us (a rival won and maybe already died): look again.
        if (e instanceof BadVersionError && e.opIndex === 1) continue;
        throw e;
      }
    }
    return null;
  }

  onControllerChange(cb: () => void): Unsubscribe {
    return this.c.subscribe('exists', ControllerZNode.path, cb);
  }
}
