/** Upper bounds (seconds) of the recommend latency histogram's buckets. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The service's counters, rendered in the Prometheus text format: events logged, applied and
 * duplicated, apply lag, checkpoints, the recommend latency histogram, and prequential HR@10
 * (before the model applies a sampled event, was its item in the user's top 10?) over a
 * sliding window of sampled events.
 *
 * @example
 * ```ts
 * const m = new Metrics();
 * m.observeLatency(0.004);
 * m.render({ eventsLogged: 10, eventsApplied: 10, lastCheckpointOffset: 0 }); // '# HELP memrec_events_logged_total ...'
 * ```
 */
export class Metrics {
  duplicates = 0;
  checkpoints = 0;
  private readonly buckets = new Float64Array(LATENCY_BUCKETS.length);
  private latencyCount = 0;
  private latencySum = 0;
  private readonly hits: Uint8Array;
  private hitPos = 0;
  private hitFilled = 0;
  private hitSum = 0;

  constructor(readonly hitWindow = 1000) {
    this.hits = new Uint8Array(hitWindow);
  }

  observeLatency(seconds: number): void {
    this.latencyCount++;
    this.latencySum += seconds;
    for (let b = 0; b < LATENCY_BUCKETS.length; b++) if (seconds <= LATENCY_BUCKETS[b]) this.buckets[b]++;
  }

  /** Records one prequential trial: was the event's item in the top 10 before it was applied. */
  observeHit(hit: boolean): void {
    if (this.hitFilled === this.hits.length) this.hitSum -= this.hits[this.hitPos];
    else this.hitFilled++;
    this.hits[this.hitPos] = hit ? 1 : 0;
    this.hitSum += this.hits[this.hitPos];
    this.hitPos = (this.hitPos + 1) % this.hits.length;
  }

  /** HR@10 over the window (NaN before the first trial) and the trials in it. */
  hitRate(): { rate: number; trials: number } {
    return { rate: this.hitFilled === 0 ? NaN : this.hitSum / this.hitFilled, trials: this.hitFilled };
  }

  render(state: { eventsLogged: number; eventsApplied: number; lastCheckpointOffset: number }): string {
    const lines: string[] = [];
    const one = (name: string, type: string, help: string, value: number) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${Number.isNaN(value) ? 'NaN' : value}`);
    one('memrec_events_logged_total', 'counter', 'Feedback events durably in the log.', state.eventsLogged);
    one('memrec_events_applied_total', 'counter', 'Logged events the model has applied.', state.eventsApplied);
    one('memrec_apply_lag_events', 'gauge', 'Logged events not yet applied.', state.eventsLogged - state.eventsApplied);
    one('memrec_duplicate_events_total', 'counter', 'Events refused because their eventId was already logged.', this.duplicates);
    one('memrec_checkpoints_total', 'counter', 'Checkpoints written by this process.', this.checkpoints);
    one('memrec_last_checkpoint_offset', 'gauge', 'Log offset of the newest checkpoint.', state.lastCheckpointOffset);
    const hr = this.hitRate();
    one('memrec_prequential_hit_rate_at_10', 'gauge', `HR@10 of the model on sampled incoming events, before applying them, over the last ${this.hits.length} sampled events.`, hr.rate);
    one('memrec_prequential_trials', 'gauge', 'Sampled events in the HR@10 window.', hr.trials);
    lines.push('# HELP memrec_recommend_latency_seconds Time to answer GET /v1/recommend.', '# TYPE memrec_recommend_latency_seconds histogram');
    LATENCY_BUCKETS.forEach((b, k) => lines.push(`memrec_recommend_latency_seconds_bucket{le="${b}"} ${this.buckets[k]}`));
    lines.push(`memrec_recommend_latency_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`memrec_recommend_latency_seconds_sum ${this.latencySum}`, `memrec_recommend_latency_seconds_count ${this.latencyCount}`);
    return `${lines.join('\n')}\n`;
  }
}
