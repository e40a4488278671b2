/**
 * The shape of a benchmark run's `results.json`, shared by the experiment runner (which fills
 * it) and the report writers (markdown, CSV, SVG charts, HTML).
 */

/** Mean, standard deviation and 95 % confidence interval of one metric over seeds. */
export interface Summary {
  mean: number;
  std: number;
  /** [low, high] of the 95 % interval (t-distribution over seeds). */
  ci95: [number, number];
  /** Number of values (seeds) summarised. */
  n: number;
}

/** Metrics of one stream block (prequential: evaluated before the model saw the block). */
export interface StreamBlock {
  block: number;
  /** Events scored in the block. */
  events: number;
  /** Events not scored (user or item new to the block; `--cold-start skip`), still used to update the model. */
  skipped?: number;
  /** e.g. { 'hr@10': 0.12, 'ndcg@10': 0.05, 'mrr': 0.04 } */
  metrics: Record<string, number>;
}

/** One (model, seed, protocol) run. */
export interface RunResult {
  model: string;
  seed: number;
  /** 'stream' | 'leave-last-out' | 'stratified' | 'temporal' | 'predefined' */
  protocol: string;
  /** Metrics per evaluation name ('full', 'sampled-100', 'stream'), e.g. metrics.full['ndcg@10']. */
  metrics: Record<string, Record<string, number>>;
  /** Per-block metrics for the stream protocol. */
  streamBlocks?: StreamBlock[];
  /** Training loss curve: one point per logged step (x = events seen so far). */
  loss: { x: number; loss: number }[];
  /** Per epoch: mean training loss and, with early stopping, the validation metric. */
  curve?: { epoch: number; loss: number; valid?: number }[];
  /** With early stopping: the epoch (0-based) whose model was kept. */
  bestEpoch?: number;
  trainSeconds: number;
  trainEventsPerSecond: number;
  /** Streaming updates (observe) in events per second, when the protocol streams. */
  observeEventsPerSecond?: number;
  /** What `observe` does for this model: 'incremental' | 'ignored' | 'retrain'. */
  observeMode?: string;
  /** Latency of recommend(user, 10) over the whole catalogue, in milliseconds. */
  recommendLatencyMs?: { median: number; p99: number };
}

/** A paired comparison between two models on one evaluation and metric. */
export interface Comparison {
  a: string;
  b: string;
  evaluation: string;
  metric: string;
  /** 'wilcoxon-users' (paired over users) | 'paired-t-seeds' (paired over seeds) */
  test: string;
  statistic: number;
  pValue: number;
  /** Mean of a minus mean of b. */
  meanDiff: number;
  /** Plain-language verdict, e.g. "nmrn > bprmf (p = 0.003)". */
  verdict: string;
}

/** The whole results file. */
export interface Results {
  /** Format version of this file. */
  version: 1;
  createdAt: string;
  command: string;
  backend: string;
  /** Package name -> version (memrec packages and tfjs). */
  versions: Record<string, string>;
  /** The protocol card: dataset, statistics, splits and parameters, candidates, filtering, k, seeds. */
  card: Record<string, unknown>;
  /** Markdown rendering of the protocol card. */
  cardMarkdown: string;
  runs: RunResult[];
  /** summary[model][evaluation][metric] */
  summary: Record<string, Record<string, Record<string, Summary>>>;
  comparisons: Comparison[];
  /** Cells that kept failing on the Redis queue (`--queue`), each with its last error. */
  failedCells?: { protocol: string; seed: number; variant: string; error: string }[];
  /** Where a queued run (`--queue`) ran: the queue, the grid's id, the data's checksum, each cell's worker. */
  queue?: { url: string; grid: string; checksum: string; cells: { protocol: string; seed: number; variant: string; worker: string; backend: string; runSeconds: number }[] };
}
