// Hands out producer ids for InitProducerId (Kafka 2.8's ProducerIdManager): ids come from blocks of 1000 that
// each broker claims through ZooKeeper, so ids are unique across the cluster, broker restarts and controller
// changes. A broker's unused ids are lost when it restarts, as in Kafka.
import type { ProducerIdBlock } from '../../zk/producerIdBlock';

export class ProducerIdManager {
  private block: ProducerIdBlock | null = null;
  private nextId = 0n;
  private claiming: Promise<void> | null = null;

  constructor(
    private readonly brokerId: number,
    private readonly claimBlock: (brokerId: number) => Promise<ProducerIdBlock>,
  ) {}

  /** The next unused producer id, claiming a new block when this broker's block is used up. */
  async generateProducerId(): Promise<bigint> {
    for (;;) {
      if (this.block && this.nextId <= this.block.blockEnd) return this.nextId++;
      if (!this.claiming) {
        this.claiming = this.claimBlock(this.brokerId)
          .then((b) => {
            this.block = b;
            this.nextId = b.blockStart;
          })
          .finally(() => {
            this.claiming = null;
          });
      }
      await this.claiming;
    }
  }

  get currentBlock(): ProducerIdBlock | null {
    return this.block;
  }
}
