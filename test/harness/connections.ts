// One cached Brook client connection per broker of a test cluster, reopened when closed, for tests that check the
// brokers' answers on the wire next to what a real client reports.
import { KafkaConnection } from '../../src/client';
import type { LocalCluster } from '../../src/chaos/cluster';

export class BrokerConnections {
  private readonly conns = new Map<number, KafkaConnection>();

  constructor(private readonly cluster: () => LocalCluster, private readonly clientId: string, private readonly requestTimeoutMs = 40_000) {}

  async to(id: number): Promise<KafkaConnection> {
    const known = this.conns.get(id);
    if (known && !known.isClosed) return known;
    const b = this.cluster().broker(id);
    const c = await KafkaConnection.connect(b.host, b.port, { clientId: this.clientId, requestTimeoutMs: this.requestTimeoutMs });
    this.conns.set(id, c);
    return c;
  }

  closeAll(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}
