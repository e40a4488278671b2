import { LATENCY_BUCKETS, Metrics } from './metrics';

describe('Metrics', () => {
  it('keeps prequential HR@10 over a sliding window of the last trials', () => {
    const m = new Metrics(3);
    expect(m.hitRate()).toEqual({ rate: NaN, trials: 0 });
    m.observeHit(true);
    m.observeHit(true);
    expect(m.hitRate()).toEqual({ rate: 1, trials: 2 });
    m.observeHit(false);
    m.observeHit(false); // the first hit leaves the window: hits 1, 0, 0
    expect(m.hitRate()).toEqual({ rate: 1 / 3, trials: 3 });
    m.observeHit(false); // 0, 0, 0
    expect(m.hitRate()).toEqual({ rate: 0, trials: 3 });
  });

  it('renders Prometheus text: counters, the apply lag, the latency histogram (cumulative buckets) and HR@10', () => {
    const m = new Metrics(2);
    m.duplicates = 4;
    m.observeLatency(0.003);
    m.observeLatency(0.02);
    m.observeLatency(5);
    m.observeHit(true);
    const text = m.render({ eventsLogged: 120, eventsApplied: 100, lastCheckpointOffset: 50 });
    for (const line of [
      'memrec_events_logged_total 120',
      'memrec_events_applied_total 100',
      'memrec_apply_lag_events 20',
      'memrec_duplicate_events_total 4',
      'memrec_last_checkpoint_offset 50',
      'memrec_prequential_hit_rate_at_10 1',
      'memrec_prequential_trials 1',
      '# TYPE memrec_recommend_latency_seconds histogram',
      'memrec_recommend_latency_seconds_bucket{le="0.001"} 0',
      'memrec_recommend_latency_seconds_bucket{le="0.005"} 1',
      'memrec_recommend_latency_seconds_bucket{le="0.025"} 2',
      `memrec_recommend_latency_seconds_bucket{le="${LATENCY_BUCKETS.at(-1)}"} 2`,
      'memrec_recommend_latency_seconds_bucket{le="+Inf"} 3',
      'memrec_recommend_latency_seconds_count 3',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/^memrec_recommend_latency_seconds_sum 5\.02\d*$/m);
    expect(text.endsWith('\n')).toBe(true);
  });
});
