import { ProducerIdManager } from '../../../../src/coordinator/transaction/ProducerIdManager';
import { claimProducerIdBlock, decodeProducerIdBlock, encodeProducerIdBlock, type ProducerIdBlock } from '../../../../src/zk/producerIdBlock';
import { BadVersionError } from '../../../../src/zk/ZkClient';

/** A single-znode stand-in for ZooKeeper's getData/setData version semantics (pure logic under test is the claim loop). */
class OneZnode {
  data: Buffer | null = null;
  version = 0;
  /** Runs before a setData is applied: lets a test simulate another broker winning the race. */
  beforeSet: (() => void) | null = null;
  async getData(): Promise<{ data: Buffer | null; stat: { version: number } }> {
    return { data: this.data, stat: { version: this.version } };
  }
  async setData(_p: string, data: Buffer | null, version: number): Promise<{ version: number }> {
    const hook = this.beforeSet;
    this.beforeSet = null;
    hook?.();
    if (version !== this.version) throw new BadVersionError(-103, 'BADVERSION', '/latest_producer_id_block');
    this.data = data;
    this.version++;
    return { version: this.version };
  }
  async createRecursive(): Promise<void> {}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const asZk = (z: OneZnode): any => z;

describe('/latest_producer_id_block', () => {
  test('JSON as Kafka writes it: bounds are strings', () => {
    const b: ProducerIdBlock = { brokerId: 2, blockStart: 1000n, blockEnd: 1999n };
    expect(JSON.parse(encodeProducerIdBlock(b).toString())).toEqual({ version: 1, broker: 2, block_start: '1000', block_end: '1999' });
    expect(decodeProducerIdBlock(encodeProducerIdBlock(b))).toEqual(b);
  });

  test('the first block is 0..999, the next follows the stored one', async () => {
    const z = new OneZnode();
    expect(await claimProducerIdBlock(asZk(z), 1)).toEqual({ brokerId: 1, blockStart: 0n, blockEnd: 999n });
    expect(await claimProducerIdBlock(asZk(z), 2)).toEqual({ brokerId: 2, blockStart: 1000n, blockEnd: 1999n });
  });

  test('a lost race claims the block after the winner', async () => {
    const z = new OneZnode();
    await claimProducerIdBlock(asZk(z), 1);
    z.beforeSet = () => {
      z.data = encodeProducerIdBlock({ brokerId: 3, blockStart: 1000n, blockEnd: 1999n });
      z.version++;
    };
    expect(await claimProducerIdBlock(asZk(z), 2)).toEqual({ brokerId: 2, blockStart: 2000n, blockEnd: 2999n });
  });

  test('ids are handed out in order and a new block is claimed when one is used up', async () => {
    let claims = 0;
    const m = new ProducerIdManager(1, async (brokerId) => {
      const start = BigInt(claims++) * 1000n;
      return { brokerId, blockStart: start, blockEnd: start + 999n };
    });
    const ids = await Promise.all(Array.from({ length: 1500 }, () => m.generateProducerId()));
    expect(new Set(ids).size).toBe(1500);
    expect(ids[0]).toBe(0n);
    expect(ids.sort((a, b) => (a < b ? -1 : 1))[1499]).toBe(1499n);
    expect(claims).toBe(2);
  });
});
