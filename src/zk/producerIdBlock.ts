// The /latest_producer_id_block znode (Kafka 2.8's ProducerIdBlockZNode): the last block of producer ids a broker
// claimed, as JSON {"version":1,"broker":<id>,"block_start":"<first>","block_end":"<last>"} (the bounds are strings).
// A broker claims the next block with a conditional setData, so two brokers never get the same ids.
import type { Logger } from 'pino';
import { BadVersionError, NoNodeError, type ZkClient } from './ZkClient';

export const PRODUCER_ID_BLOCK_PATH = '/latest_producer_id_block';
/** Kafka's ProducerIdManager.PidBlockSize. */
export const PRODUCER_ID_BLOCK_SIZE = 1000n;
const LONG_MAX = 0x7fffffffffffffffn;

export interface ProducerIdBlock {
  brokerId: number;
  /** First id, inclusive. */
  blockStart: bigint;
  /** Last id, inclusive. */
  blockEnd: bigint;
}

export function encodeProducerIdBlock(b: ProducerIdBlock): Buffer {
  return Buffer.from(JSON.stringify({ version: 1, broker: b.brokerId, block_start: b.blockStart.toString(), block_end: b.blockEnd.toString() }));
}

export function decodeProducerIdBlock(data: Buffer): ProducerIdBlock {
  const json = JSON.parse(data.toString('utf8')) as { version?: unknown; broker?: unknown; block_start?: unknown; block_end?: unknown };
  if (json.version !== 1) throw new Error(`${PRODUCER_ID_BLOCK_PATH}: unknown version ${String(json.version)}`);
  const start = BigInt(String(json.block_start));
  const end = BigInt(String(json.block_end));
  if (typeof json.broker !== 'number' || end < start) throw new Error(`${PRODUCER_ID_BLOCK_PATH}: malformed block ${data.toString('utf8')}`);
  return { brokerId: json.broker, blockStart: start, blockEnd: end };
}

type ZkOps = Pick<ZkClient, 'getData' | 'setData' | 'createRecursive'>;

/**
 * Claims the block after the one in the znode (0..999 when it has no data yet). Loops on a lost race; a
 * BADVERSION whose stored block is the one we wrote (an earlier attempt went through) counts as success.
 */
export async function claimProducerIdBlock(zk: ZkOps, brokerId: number, logger?: Logger): Promise<ProducerIdBlock> {
  for (;;) {
    let data: Buffer | null;
    let version: number;
    try {
      const r = await zk.getData(PRODUCER_ID_BLOCK_PATH);
      data = r.data;
      version = r.stat.version;
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      await zk.createRecursive(PRODUCER_ID_BLOCK_PATH);
      continue;
    }
    let next: ProducerIdBlock;
    if (data === null || data.length === 0) {
      next = { brokerId, blockStart: 0n, blockEnd: PRODUCER_ID_BLOCK_SIZE - 1n };
    } else {
      const cur = decodeProducerIdBlock(data);
      if (cur.blockEnd > LONG_MAX - PRODUCER_ID_BLOCK_SIZE) throw new Error(`broker ${brokerId} has exhausted all producer ids (last block ends at ${cur.blockEnd})`);
      next = { brokerId, blockStart: cur.blockEnd + 1n, blockEnd: cur.blockEnd + PRODUCER_ID_BLOCK_SIZE };
    }
    const encoded = encodeProducerIdBlock(next);
    try {
      await zk.setData(PRODUCER_ID_BLOCK_PATH, encoded, version);
      logger?.info({ blockStart: next.blockStart.toString(), blockEnd: next.blockEnd.toString() }, 'claimed producer id block');
      return next;
    } catch (e) {
      if (e instanceof NoNodeError) continue;
      if (!(e instanceof BadVersionError)) throw e;
      const now = await zk.getData(PRODUCER_ID_BLOCK_PATH);
      if (now.data !== null && now.data.equals(encoded)) return next;
      logger?.debug({ brokerId }, 'lost the race for a producer id block; retrying');
    }
  }
}
