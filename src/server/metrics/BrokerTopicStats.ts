// The broker's event counters (Kafka's BrokerTopicStats plus the ISR and request counts): plain numbers bumped on the
// request paths, once per request or partition, never per record; the metrics registry reads them at scrape time.

/** Kafka's per-topic BrokerTopicMetrics meters, as running totals. */
export class TopicCounters {
  messagesIn = 0;
  bytesIn = 0;
  bytesOut = 0;
  bytesRejected = 0;
  failedProduceRequests = 0;
  failedFetchRequests = 0;
  totalProduceRequests = 0;
  totalFetchRequests = 0;
  replicationBytesOut = 0;
}

export class BrokerTopicStats {
  /** Per topic; the all-topics totals are `allTopics`. */
  readonly topics = new Map<string, TopicCounters>();
  readonly allTopics = new TopicCounters();
  isrShrinks = 0;
  isrExpands = 0;

  topic(name: string): TopicCounters {
    let t = this.topics.get(name);
    if (!t) {
      t = new TopicCounters();
      this.topics.set(name, t);
    }
    return t;
  }

  /** A successful append from a client (Kafka counts replication separately). */
  recordProduce(topic: string, bytes: number, messages: number): void {
    const t = this.topic(topic);
    t.totalProduceRequests++;
    t.bytesIn += bytes;
    t.messagesIn += messages;
    const a = this.allTopics;
    a.totalProduceRequests++;
    a.bytesIn += bytes;
    a.messagesIn += messages;
  }

  /** A failed append: `rejectedBytes` is the batch's size when the records themselves were refused. */
  recordProduceFailure(topic: string, rejectedBytes: number): void {
    const t = this.topic(topic);
    t.totalProduceRequests++;
    t.failedProduceRequests++;
    t.bytesRejected += rejectedBytes;
    const a = this.allTopics;
    a.totalProduceRequests++;
    a.failedProduceRequests++;
    a.bytesRejected += rejectedBytes;
  }

  /** One partition of a fetch answered: consumer bytes count as BytesOut, follower bytes as ReplicationBytesOut. */
  recordFetch(topic: string, bytes: number, fromFollower: boolean, failed: boolean): void {
    const t = this.topic(topic);
    const a = this.allTopics;
    t.totalFetchRequests++;
    a.totalFetchRequests++;
    if (failed) {
      t.failedFetchRequests++;
      a.failedFetchRequests++;
    } else if (fromFollower) {
      t.replicationBytesOut += bytes;
      a.replicationBytesOut += bytes;
    } else {
      t.bytesOut += bytes;
      a.bytesOut += bytes;
    }
  }

  /** A deleted topic's series stop (Kafka removes its topic meters too). */
  removeTopic(topic: string): void {
    this.topics.delete(topic);
  }
}
