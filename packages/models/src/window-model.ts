import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, SparseEmbedding, type Interactions, type StateBlock, type StateContent } from '@memrec/core';
import { FifoItemMemory } from '@memrec/memory';
import { uniformSampler, type NegativeSampler } from '@memrec/samplers';
import { BaseRecommender, type TrainingOptions } from './base';
import { bytesBlock, typedBlock } from './state';
import { orderedBatches, trainLoop, type TrainLoopOptions } from './train-loop';
import { windowBprStep, type WindowBprParts } from './window-bpr';

/** The options every {@link WindowBprModel} has. */
export interface WindowModelOptions extends TrainingOptions {
  dim: number;
  negatives: number;
  learningRate: number;
}

/**
 * What MARS and DMN share: user and item tables (lazy Adam), each user's last items in a
 * {@link FifoItemMemory}, dense weights trained by Adam, and BPR steps in time order against the
 * windows as they are ({@link windowBprStep}); training, streaming updates, growth, saving and
 * restoring. A model adds its dense weights, its window length, how a window scores candidates
 * (`scoreWindow`) and its full-catalogue scoring. Seeds are derived from the model's name
 * (`<name>-users`, `<name>-items`, `<name>-negatives`). Internal to `@memrec/models`.
 *
 * @example
 * ```ts
 * class MyWindowModel extends WindowBprModel<MyOptions> { ... }
 * ```
 */
export abstract class WindowBprModel<O extends WindowModelOptions> extends BaseRecommender<O> {
  readonly kind = 'score' as const;
  readonly observeMode = 'incremental' as const;
  users!: SparseEmbedding;
  items!: SparseEmbedding;
  fifo!: FifoItemMemory;
  /** The model's dense weights (named by `denseNames` in saved state). */
  dense: tf.Variable[] = [];
  private sampler!: NegativeSampler;
  private optimizer: tf.Optimizer | null = null;

  /** State block names of the dense weights, in `dense` order. */
  protected abstract readonly denseNames: readonly string[];
  /** Items kept per user (the window length). */
  protected abstract windowLength(): number;
  /** Fresh dense weights, seeded from the run's `seed`. */
  protected abstract createDense(seed: number): tf.Variable[];
  /** Scores of each user row against its candidates given its window (see `WindowBprParts.score`). */
  protected abstract scoreWindow(P: tf.Tensor2D, Q: tf.Tensor3D, slots: tf.Tensor3D, mask: tf.Tensor2D, dense: tf.Tensor[]): tf.Tensor2D;

  protected init(users: SparseEmbedding, items: SparseEmbedding, seed: number): void {
    this.users = users;
    this.items = items;
    this.fifo = new FifoItemMemory({ items, capacity: this.windowLength(), count: users.rows });
    this.sampler = uniformSampler({ seen: this.seen, seed: deriveSeed(seed, `${this.name}-negatives`) });
    this.dense = this.createDense(seed);
    this.optimizer = tf.train.adam(this.config.learningRate);
  }

  private parts(): WindowBprParts {
    return {
      users: this.users,
      items: this.items,
      fifo: this.fifo,
      dense: this.dense,
      optimizer: this.optimizer,
      sampler: this.sampler,
      negatives: this.config.negatives,
      score: (P, Q, slots, mask, dense) => this.scoreWindow(P, Q, slots, mask, dense),
    };
  }

  /** One BPR step on a time-ordered batch against the windows as they are, then the batch's writes. */
  private step(batchUsers: Int32Array, batchPos: Int32Array): number {
    const { users: us, items: pos } = this.trainableRows(batchUsers, batchPos);
    const loss = us.length > 0 ? windowBprStep(this.parts(), us, pos) : 0;
    this.fifo.push(batchUsers, batchPos);
    return loss;
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    const opt = { kind: 'adam' as const, learningRate: this.config.learningRate };
    const users = new SparseEmbedding({ rows: train.numUsers, dim: this.config.dim, optimizer: opt, seed: deriveSeed(run.seed, `${this.name}-users`) });
    const items = new SparseEmbedding({ rows: train.numItems, dim: this.config.dim, optimizer: opt, seed: deriveSeed(run.seed, `${this.name}-items`) });
    this.init(users, items, run.seed);
    await trainLoop(train, run, {
      epochs: run.epochs,
      order: 'time',
      phase: () => 'train',
      beforeEpoch: () => this.fifo.reset(),
      step: (u, i) => this.step(u, i),
    });
  }

  protected async observeModel(events: Interactions): Promise<void> {
    for (const b of orderedBatches(events, this.batchSize)) this.step(b.users, b.items);
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.users.grow(numUsers);
    this.items.grow(numItems);
    this.fifo.grow(numUsers);
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    return this.scoreFromRows(users, items);
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    const blocks: Record<string, StateBlock> = { users: this.users.toBytes(), items: this.items.toBytes(), fifo: this.fifo.stateToBytes() };
    this.dense.forEach((v, k) => (blocks[this.denseNames[k]] = v.dataSync() as Float32Array));
    return { header: {}, blocks };
  }

  protected release(): void {
    tf.dispose(this.dense);
    this.dense = [];
    this.optimizer?.dispose();
    this.optimizer = null;
  }

  /** Restores `m` (fresh, of the saved config) from decoded state: base fields, tables, windows, dense weights. */
  protected static restoreWindow(m: WindowBprModel<WindowModelOptions>, c: StateContent, fn: string): void {
    BaseRecommender.restoreBase(m, c, fn);
    m.init(SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'users', fn)), SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'items', fn)), m.seed);
    m.fifo.grow(m.numUsers);
    m.fifo.stateFromBytes(bytesBlock(c.blocks, 'fifo', fn));
    m.dense.forEach((v, k) => tf.tidy(() => v.assign(tf.tensor(typedBlock(c.blocks, m.denseNames[k], Float32Array, fn, v.size), v.shape, 'float32'))));
  }
}
