// Kafka's metrics Rate over a SampledTotal (clients/common/metrics/stats/Rate.java, SampledStat.java): `samples`
// windows of `windowMs`; a window closes when its time is up, the oldest is reused, windows older than
// samples × windowMs count as empty; the rate divides by the elapsed time but never by less than (samples − 1) windows.

export interface RateConfig {
  /** quota.window.num (Kafka default 11). */
  samples: number;
  /** quota.window.size.seconds × 1000 (Kafka default 1000). */
  windowMs: number;
}

interface Sample {
  value: number;
  lastWindowMs: number;
}

export class SampledRate {
  private readonly samples: Sample[] = [];
  private current = 0;

  constructor(private readonly config: RateConfig) {}

  record(value: number, nowMs: number): void {
    let s = this.currentSample(nowMs);
    if (nowMs - s.lastWindowMs >= this.config.windowMs) s = this.advance(nowMs);
    s.value += value;
  }

  /** Rate per second at `nowMs`. */
  measure(nowMs: number): number {
    this.purgeObsolete(nowMs);
    const total = this.samples.reduce((sum, s) => sum + s.value, 0);
    return total / (this.windowSize(nowMs) / 1000);
  }

  /** Kafka's Rate.windowSize: elapsed time since the oldest sample, at least (samples − 1) full windows. */
  windowSize(nowMs: number): number {
    this.purgeObsolete(nowMs);
    let elapsed = nowMs - this.oldest(nowMs).lastWindowMs;
    const fullWindows = Math.floor(elapsed / this.config.windowMs);
    const minFull = this.config.samples - 1;
    if (fullWindows < minFull) elapsed += (minFull - fullWindows) * this.config.windowMs;
    return elapsed;
  }

  private currentSample(nowMs: number): Sample {
    if (this.samples.length === 0) this.samples.push({ value: 0, lastWindowMs: nowMs });
    return this.samples[this.current]!;
  }

  private advance(nowMs: number): Sample {
    this.current = (this.current + 1) % this.config.samples;
    if (this.current >= this.samples.length) {
      const s = { value: 0, lastWindowMs: nowMs };
      this.samples.push(s);
      return s;
    }
    const s = this.samples[this.current]!;
    s.value = 0;
    s.lastWindowMs = nowMs;
    return s;
  }

  private oldest(nowMs: number): Sample {
    if (this.samples.length === 0) this.samples.push({ value: 0, lastWindowMs: nowMs });
    return this.samples.reduce((a, b) => (b.lastWindowMs < a.lastWindowMs ? b : a));
  }

  private purgeObsolete(nowMs: number): void {
    const expireAge = this.config.samples * this.config.windowMs;
    for (const s of this.samples) {
      if (nowMs - s.lastWindowMs >= expireAge) {
        s.value = 0;
        s.lastWindowMs = nowMs;
      }
    }
  }
}

/**
 * Kafka's QuotaUtils.throttleTime: how long the client must wait so that its rate falls back to the bound,
 * round((observed − bound) / bound × window), window being the rate's window at `nowMs`.
 */
export function throttleTimeMs(observed: number, bound: number, windowMs: number): number {
  return Math.round(((observed - bound) / bound) * windowMs);
}
