import type { Interactions, Module, Scorer } from '@memrec/core';

/** Progress of a long fit: called every few batches. */
export type FitProgress = (p: { phase: string; done: number; total: number; loss?: number }) => void;

/** Options every model's `fit` accepts. */
export interface FitOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  onProgress?: FitProgress;
  /** Receives training loss points (x = training events processed so far). */
  onLoss?: (x: number, loss: number) => void;
}

/** What `observe` does with a block of new events. */
export type ObserveMode = 'incremental' | 'ignored' | 'retrain';

/**
 * A recommender in the benchmark: fits on a training set, scores every item for users, may
 * learn from a stream, and saves to / loads from a directory.
 */
export interface Recommender extends Scorer, Module {
  /** Short model name as used on the command line (nmrn, cmn, neumf, bprmf, pop). */
  readonly name: string;
  /** What `observe` does for this model. */
  readonly observeMode: ObserveMode;
  /** Trains on `train` (dense ids; numUsers/numItems give the table sizes). */
  fit(train: Interactions, options: FitOptions): Promise<void>;
  /** Streaming update with events that arrived after training, in time order. */
  observe(batch: Interactions): Promise<void>;
  /** Writes weights, config and state to `dir` atomically; `extra` blobs (id maps, seen items) go along. */
  save(dir: string, extra?: Record<string, Uint8Array>): Promise<void>;
}
