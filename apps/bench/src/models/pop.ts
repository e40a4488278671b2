import type { Interactions } from '@memrec/core';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import type { FitOptions, Recommender } from './types';

/**
 * ItemPop: scores each item by its number of training interactions (the same list for every
 * user). The honest floor every learned model must beat. In a stream, `observe` adds the new
 * events to the counts (incremental).
 *
 * @example
 * ```ts
 * const pop = new ItemPop();
 * await pop.fit(train, { epochs: 1, batchSize: 1, seed: 1 });
 * const scores = pop.scoreAll(Int32Array.from([0])); // [numItems]
 * ```
 */
export class ItemPop implements Recommender {
  readonly name = 'pop';
  readonly kind = 'score' as const;
  readonly observeMode = 'incremental' as const;
  private counts = new Float32Array(0);

  get numItems(): number {
    return this.counts.length;
  }

  async fit(train: Interactions, _options?: FitOptions): Promise<void> {
    this.counts = new Float32Array(train.numItems);
    await this.observe(train);
  }

  async observe(batch: Interactions): Promise<void> {
    if (batch.numItems > this.counts.length) {
      const c = new Float32Array(batch.numItems);
      c.set(this.counts);
      this.counts = c;
    }
    for (let k = 0; k < batch.items.length; k++) this.counts[batch.items[k]] += 1;
  }

  scoreAll(users: Int32Array): Float32Array {
    const n = this.counts.length;
    const out = new Float32Array(users.length * n);
    for (let r = 0; r < users.length; r++) out.set(this.counts, r * n);
    return out;
  }

  score(_users: Int32Array, items: Int32Array): Float32Array {
    return Float32Array.from(items, (i) => this.counts[i]);
  }

  async save(dir: string, extra: Record<string, Uint8Array> = {}): Promise<void> {
    await writeCheckpoint(dir, { model: this.name, config: {}, blobs: { ...extra, counts: new Uint8Array(this.counts.buffer.slice(0)) } });
  }

  /** Loads a checkpoint written by {@link ItemPop.save}. */
  static load(dir: string): ItemPop {
    const c = readCheckpoint(dir, 'pop');
    const pop = new ItemPop();
    const b = c.blobs.counts;
    pop.counts = new Float32Array(b.byteLength / 4);
    new Uint8Array(pop.counts.buffer).set(b);
    return pop;
  }

  dispose(): void {}
}
