import { SparseEmbedding, UserItemSet, type Interactions } from '@memrec/core';
import { bprLoss } from '@memrec/losses';
import { CollaborativeMemory } from '@memrec/memory';
import { uniformSampler, type NegativeSampler } from '@memrec/samplers';
import { BprMf } from './bprmf';
import { trainLoop } from './batches';
import { fromJsonBytes, jsonBytes, readCheckpoint, writeCheckpoint } from './checkpoint';
import { packVariables, unpackVariables } from './dense-state';
import type { FitOptions, Recommender } from './types';

/** Hyperparameters of {@link Cmn}. */
export interface CmnConfig {
  dim: number;
  hops: number;
  maxNeighbours: number;
  negatives: number;
  learningRate: number;
  /** Epochs of GMF (BPR-MF) pre-training for m and e; 0 = none. */
  pretrainEpochs: number;
}

export const CMN_DEFAULTS: CmnConfig = { dim: 16, hops: 2, maxNeighbours: 16, negatives: 4, learningRate: 0.005, pretrainEpochs: 5 };

/**
 * CMN (Ebesu et al., SIGIR 2018): a CollaborativeMemory trained with BPR on 4 uniform negatives
 * per positive, optionally initialised from a GMF (BPR-MF) pre-training. Neighbourhoods come from
 * the training set, so `observe` ignores new events (a static model; it says so).
 *
 * @example
 * ```ts
 * const cmn = new Cmn({ hops: 2 });
 * await cmn.fit(train, { epochs: 2, batchSize: 128, seed: 1 });
 * ```
 */
export class Cmn implements Recommender {
  readonly name = 'cmn';
  readonly kind = 'score' as const;
  readonly observeMode = 'ignored' as const;
  readonly config: CmnConfig;
  layer!: CollaborativeMemory;
  private train!: Interactions;
  private seed = 0;

  constructor(config: Partial<CmnConfig> = {}) {
    this.config = { ...CMN_DEFAULTS, ...config };
  }

  get numItems(): number {
    return this.layer.numItems;
  }

  private build(train: Interactions, seed: number): void {
    const c = this.config;
    this.train = train;
    this.seed = seed;
    this.layer = new CollaborativeMemory({
      numUsers: train.numUsers, numItems: train.numItems, dim: c.dim, hops: c.hops, maxNeighbours: c.maxNeighbours, seed,
      interactions: { users: train.users, items: train.items },
      optimizer: { kind: 'adam', learningRate: c.learningRate }, learningRate: c.learningRate,
    });
  }

  async fit(train: Interactions, options: FitOptions): Promise<void> {
    this.build(train, options.seed);
    const c = this.config;
    if (c.pretrainEpochs > 0) {
      const gmf = new BprMf({ dim: c.dim });
      await gmf.fit(train, { ...options, epochs: c.pretrainEpochs, onLoss: undefined, onProgress: (p) => options.onProgress?.({ ...p, phase: 'GMF pre-train' }) });
      this.layer.initFromEmbeddings(gmf.users, gmf.items);
      gmf.dispose();
    }
    const seen = UserItemSet.fromInteractions(train);
    const sampler: NegativeSampler = uniformSampler({ seen, seed: options.seed });
    await trainLoop(train, options, {
      epochs: options.epochs,
      order: 'shuffled',
      phase: () => 'train',
      step: (u, i) => this.layer.trainStep(u, i, sampler.sample(u, i, c.negatives), (pos, ng) => bprLoss(pos, ng)),
    });
  }

  async observe(_batch: Interactions): Promise<void> {
    // Static model: neighbourhoods are fixed at training time.
  }

  scoreAll(users: Int32Array): Float32Array {
    return this.layer.scoreAll(users);
  }

  score(users: Int32Array, items: Int32Array): Float32Array {
    const t = this.layer.score(users, items);
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }

  async save(dir: string, extra: Record<string, Uint8Array> = {}): Promise<void> {
    const w = this.layer.weights;
    await writeCheckpoint(dir, {
      model: this.name,
      config: { ...this.config },
      blobs: {
        ...extra,
        m: this.layer.userMemory.toBytes(), c: this.layer.outputMemory.toBytes(), e: this.layer.itemMemory.toBytes(),
        dense: packVariables([...w.hopW, ...w.hopB, w.U1, w.U2, w.bU, w.v]),
        train: jsonBytes({ seed: this.seed, numUsers: this.train.numUsers, numItems: this.train.numItems, users: Array.from(this.train.users), items: Array.from(this.train.items) }),
      },
    });
  }

  /** Loads a checkpoint written by {@link Cmn.save} (neighbourhoods rebuilt from the saved training set). */
  static load(dir: string): Cmn {
    const ck = readCheckpoint(dir, 'cmn');
    const m = new Cmn(ck.config as Partial<CmnConfig>);
    const t = fromJsonBytes<{ seed: number; numUsers: number; numItems: number; users: number[]; items: number[] }>(ck.blobs.train, 'train');
    m.build({ users: Int32Array.from(t.users), items: Int32Array.from(t.items), numUsers: t.numUsers, numItems: t.numItems }, t.seed);
    for (const [k, table] of [['m', m.layer.userMemory], ['c', m.layer.outputMemory], ['e', m.layer.itemMemory]] as const) {
      const src = SparseEmbedding.fromBytes(ck.blobs[k]);
      table.data.set(src.data.subarray(0, src.rows * src.dim));
    }
    const w = m.layer.weights;
    unpackVariables(ck.blobs.dense, [...w.hopW, ...w.hopB, w.U1, w.U2, w.bU, w.v], 'cmn dense weights');
    return m;
  }

  dispose(): void {
    this.layer?.dispose();
  }
}
