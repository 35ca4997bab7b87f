// Expiring a real ZooKeeper session on purpose, for tests of what happens after expiry.
import * as zookeeper from 'node-zookeeper-client';
import { disposeRawClient, type ZkClient } from '../../../src/zk/ZkClient';
import { waitFor } from '../../harness';

/**
 * The classic trick to expire a session on purpose: attach a second connection to the same session id and
 * password, then close it. The server ends the session; the original client learns it on its next contact.
 * The original client may reconnect in between (node-zookeeper-client retries a lone server at once) and push
 * the twin out before its close is sent, so the trick is repeated until the session has really changed.
 */
export async function expireSession(connectString: string, c: ZkClient): Promise<void> {
  const original = c.sessionId;
  await waitFor(
    async () => {
      if (c.sessionId !== original) return true;
      const options = { sessionTimeout: 4000, sessionId: sessionIdBuffer(original), sessionPassword: c.sessionPassword, spinDelay: 5000 };
      const twin = zookeeper.createClient(connectString, options as unknown as Parameters<typeof zookeeper.createClient>[1]);
      const connected = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 2000);
        twin.once('connected', () => (clearTimeout(timer), resolve(true)));
        twin.once('expired', () => (clearTimeout(timer), resolve(false)));
        twin.connect();
      });
      // Closes the session when connected; otherwise just stops the twin from reconnecting.
      if (connected) await disposeRawClient(twin, 1000);
      else await disposeRawClient(twin, 0);
      // Give the original client a moment to notice before trying again. When the trick worked it notices at once
      // (its connection was closed and its reconnect is refused); when it lost the race it never will, so wait little.
      return waitFor(() => c.sessionId !== original, { timeoutMs: 500, what: 'expiry' }).catch(() => false);
    },
    { timeoutMs: 20000, intervalMs: 10, what: `session 0x${original.toString(16)} to expire` },
  );
}

function sessionIdBuffer(id: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(id);
  return b;
}
