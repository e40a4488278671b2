import type { Interactions, StateBlock } from '@memrec/core';
import { BaseRecommender, type TrainingOptions } from './base';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';

/** Options of {@link ItemPop} (it has no hyperparameters beyond the shared ones, which it ignores). */
export type ItemPopOptions = TrainingOptions;

/** Rules and defaults of {@link ItemPopOptions}. */
export const ITEMPOP_OPTIONS: OptionSpec<ItemPopOptions> = {
  epochs: { rule: TRAINING_RULES.epochs, default: 1, doc: 'unused (counting needs one pass)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 1024, doc: 'unused' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'unused (ItemPop is deterministic)' },
};

/** The defaults of {@link ItemPop}. */
export const ITEMPOP_DEFAULTS: ItemPopOptions = defaultsOf(ITEMPOP_OPTIONS);

/**
 * ItemPop: scores each item by its number of interactions (the same list for every user). The
 * honest floor every learned model must beat. `observe` adds new events to the counts
 * (incremental), so in a stream it ranks by popularity so far.
 *
 * @example
 * ```ts
 * import { ItemPop } from '@memrec/models';
 * const pop = new ItemPop();
 * await pop.fit(train);
 * pop.recommend(0, 10).items; // the 10 most popular items user 0 has not seen
 * ```
 */
export class ItemPop extends BaseRecommender<ItemPopOptions> {
  readonly name = 'pop';
  readonly kind = 'score' as const;
  readonly observeMode = 'incremental' as const;

  constructor(options: Partial<ItemPopOptions> = {}) {
    super('ItemPop', ITEMPOP_OPTIONS, options);
  }

  protected async fitModel(): Promise<void> {
    // the base class counts the training interactions
  }

  protected async observeModel(_events: Interactions): Promise<void> {
    // the base class adds the events to the counts
  }

  protected growModel(): void {}

  protected scoreAllModel(users: Int32Array, buffer?: Float32Array): Float32Array {
    const n = this.numItems;
    const row = Float32Array.from(this.counts);
    const out = buffer ?? new Float32Array(users.length * n);
    for (let r = 0; r < users.length; r++) out.set(row, r * n);
    return out;
  }

  protected scoreModel(_users: Int32Array, items: Int32Array): Float32Array {
    return Float32Array.from(items, (i) => this.counts[i]);
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    return { header: {}, blocks: {} };
  }

  protected release(): void {}

  /**
   * Restores an ItemPop saved by `toBytes`.
   *
   * @example
   * ```ts
   * const again = ItemPop.fromBytes(pop.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): ItemPop {
    const fn = 'ItemPop.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'pop', fn);
    const m = new ItemPop(c.config as Partial<ItemPopOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    return m;
  }
}
