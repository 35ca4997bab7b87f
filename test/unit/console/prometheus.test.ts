// Reading Prometheus text: samples and labels (escapes, special values), the all-topics total rule, counter rates,
// histogram grouping, deltas, quantiles and means.
import {
  counterRate, histogramDelta, histogramMean, histogramQuantile, histogramsBy, mergeHistograms, parsePrometheusText, sumMetric,
} from '../../../src/console/prometheus';

const TEXT = `# HELP kafka_server_brokertopicmetrics_bytesin_total Bytes in
# TYPE kafka_server_brokertopicmetrics_bytesin_total counter
kafka_server_brokertopicmetrics_bytesin_total 3000
kafka_server_brokertopicmetrics_bytesin_total{topic="orders"} 1000
kafka_server_brokertopicmetrics_bytesin_total{topic="pay\\"ments\\\\x\\n"} 2000 1700000000000
kafka_server_brokertopicmetrics_bytesout_total{topic="a"} 5
kafka_server_brokertopicmetrics_bytesout_total{topic="b"} 7
process_weird NaN
process_up +Inf
this is not a metric line
# TYPE kafka_network_requestmetrics_totaltimems histogram
kafka_network_requestmetrics_totaltimems_bucket{request="Produce",version="7",le="1"} 2
kafka_network_requestmetrics_totaltimems_bucket{request="Produce",version="7",le="10"} 8
kafka_network_requestmetrics_totaltimems_bucket{request="Produce",version="7",le="+Inf"} 10
kafka_network_requestmetrics_totaltimems_sum{request="Produce",version="7"} 55
kafka_network_requestmetrics_totaltimems_count{request="Produce",version="7"} 10
kafka_network_requestmetrics_totaltimems_bucket{request="Produce",version="9",le="1"} 1
kafka_network_requestmetrics_totaltimems_bucket{request="Produce",version="9",le="10"} 2
kafka_network_requestmetrics_totaltimems_bucket{request="Produce",version="9",le="+Inf"} 2
kafka_network_requestmetrics_totaltimems_sum{request="Produce",version="9"} 5
kafka_network_requestmetrics_totaltimems_count{request="Produce",version="9"} 2
kafka_network_requestmetrics_totaltimems_bucket{request="Fetch",version="12",le="1"} 0
kafka_network_requestmetrics_totaltimems_bucket{request="Fetch",version="12",le="10"} 0
kafka_network_requestmetrics_totaltimems_bucket{request="Fetch",version="12",le="+Inf"} 4
kafka_network_requestmetrics_totaltimems_sum{request="Fetch",version="12"} 2000
kafka_network_requestmetrics_totaltimems_count{request="Fetch",version="12"} 4
`;

describe('parsePrometheusText', () => {
  const { samples, skipped } = parsePrometheusText(TEXT);

  it('reads names, labels with escapes, values and ignores comments and timestamps', () => {
    expect(samples.find((s) => s.labels.topic === 'orders')).toEqual({ name: 'kafka_server_brokertopicmetrics_bytesin_total', labels: { topic: 'orders' }, value: 1000 });
    expect(samples.find((s) => s.value === 2000)!.labels.topic).toBe('pay"ments\\x\n');
    expect(samples.find((s) => s.name === 'process_up')!.value).toBe(Infinity);
    expect(Number.isNaN(samples.find((s) => s.name === 'process_weird')!.value)).toBe(true);
  });

  it('skips a malformed line and counts it instead of failing the scrape', () => {
    expect(skipped).toBe(1);
    expect(samples).toHaveLength(22);
  });

  it('sums a metric, using the topic-less total when there is one so topics are not counted twice', () => {
    expect(sumMetric(samples, 'kafka_server_brokertopicmetrics_bytesin_total')).toBe(3000);
    expect(sumMetric(samples, 'kafka_server_brokertopicmetrics_bytesout_total')).toBe(12);
    expect(sumMetric(samples, 'kafka_server_brokertopicmetrics_bytesin_total', { topic: 'orders' })).toBe(1000);
    expect(sumMetric(samples, 'kafka_server_brokertopicmetrics_messagesin_total')).toBeNull();
  });

  it('groups a histogram by request over its versions', () => {
    const hs = histogramsBy(samples, 'kafka_network_requestmetrics_totaltimems', 'request');
    expect([...hs.keys()].sort()).toEqual(['Fetch', 'Produce']);
    expect(hs.get('Produce')).toEqual({ sum: 60, count: 12, buckets: [{ le: 1, count: 3 }, { le: 10, count: 10 }, { le: Infinity, count: 12 }] });
    expect(histogramMean(hs.get('Produce')!)).toBe(5);
    // Fetch observed everything above the last finite bound: the quantile is that bound, as in PromQL.
    expect(histogramQuantile(hs.get('Fetch')!, 0.99)).toBe(10);
    const all = mergeHistograms(hs.values());
    expect(all.count).toBe(16);
    expect(all.buckets.map((b) => b.count)).toEqual([3, 10, 16]);
  });
});

describe('rates and deltas', () => {
  it('gives a per-second counter rate, null after a reset or without a reading', () => {
    expect(counterRate(100, 300, 2)).toBe(100);
    expect(counterRate(300, 100, 2)).toBeNull();
    expect(counterRate(null, 100, 2)).toBeNull();
    expect(counterRate(1, 2, 0)).toBeNull();
  });

  it('interpolates quantiles inside a bucket and reports null for an empty histogram', () => {
    const h = { sum: 0, count: 10, buckets: [{ le: 10, count: 0 }, { le: 20, count: 10 }, { le: Infinity, count: 10 }] };
    expect(histogramQuantile(h, 0.5)).toBe(15);
    expect(histogramQuantile({ sum: 0, count: 0, buckets: [] }, 0.5)).toBeNull();
    expect(histogramMean({ sum: 0, count: 0, buckets: [] })).toBeNull();
  });

  it('subtracts the previous reading of a histogram bucket by bucket', () => {
    const prev = { sum: 10, count: 2, buckets: [{ le: 1, count: 1 }, { le: Infinity, count: 2 }] };
    const cur = { sum: 40, count: 5, buckets: [{ le: 1, count: 2 }, { le: Infinity, count: 5 }] };
    expect(histogramDelta(prev, cur)).toEqual({ sum: 30, count: 3, buckets: [{ le: 1, count: 1 }, { le: Infinity, count: 3 }] });
    expect(histogramDelta(cur, prev)).toBeNull();
    expect(histogramDelta(undefined, cur)).toBe(cur);
  });
});
