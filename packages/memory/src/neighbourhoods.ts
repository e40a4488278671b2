import { assertInt, seededRng } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { checkIds } from './check';

/** Options of {@link Neighbourhoods}. */
export interface NeighbourhoodsOptions {
  /** Training interactions, one user and one item per position. */
  users: Int32Array;
  items: Int32Array;
  numUsers: number;
  numItems: number;
  /** Cap on a neighbourhood's size; larger ones keep a seeded uniform sample. */
  maxNeighbours: number;
  /** Seed of the capping sample; default 0. */
  seed?: number;
}

/** A batch of neighbourhoods, padded to the batch's largest (`L`), with a 0/1 mask. */
export interface PaddedNeighbourhoods {
  /** `[b * L]` user ids; padded positions hold 0 (masked out). */
  ids: Int32Array;
  /** `[b * L]` 1 for a real neighbour, 0 for padding. */
  mask: Float32Array;
  /** Padded length (at least 1). */
  L: number;
}

const FN = 'Neighbourhoods';

/**
 * CMN's item neighbourhoods (Ebesu et al., SIGIR 2018): N(i) = the distinct users who interacted
 * with item i in training, sorted by id; an item with more than `maxNeighbours` users keeps a
 * seeded uniform sample of them (partial Fisher-Yates), so the model's cost is bounded.
 *
 * @example
 * ```ts
 * const nb = new Neighbourhoods({ users, items, numUsers: 3, numItems: 2, maxNeighbours: 64 });
 * nb.of(1);                         // Int32Array of item 1's users
 * nb.pad(Int32Array.of(0, 1));      // { ids, mask, L } for a batch
 * ```
 */
export class Neighbourhoods {
  readonly numItems: number;
  readonly maxNeighbours: number;
  /** CSR layout: the users of item i are `members[offsets[i] .. offsets[i + 1])`. */
  readonly offsets: Int32Array;
  readonly members: Int32Array;

  constructor(o: NeighbourhoodsOptions) {
    if (o == null || typeof o !== 'object') throw new Error(`${FN}: options must be an object like { users, items, numUsers, numItems, maxNeighbours }, got ${show(o)}`);
    assertInt(FN, 'numUsers', o.numUsers, 1);
    assertInt(FN, 'numItems', o.numItems, 1);
    assertInt(FN, 'maxNeighbours', o.maxNeighbours, 1);
    checkIds(FN, 'users', o.users, o.numUsers, true);
    checkIds(FN, 'items', o.items, o.numItems, true);
    if (o.users.length !== o.items.length) throw new Error(`${FN}: items must have length users.length (${o.users.length}), got ${o.items.length}`);
    this.numItems = o.numItems;
    this.maxNeighbours = o.maxNeighbours;
    const rng = seededRng(o.seed ?? 0);
    const byItem: Set<number>[] = Array.from({ length: o.numItems }, () => new Set<number>());
    for (let t = 0; t < o.users.length; t++) byItem[o.items[t]].add(o.users[t]);
    const offsets = new Int32Array(o.numItems + 1);
    const lists: Int32Array[] = byItem.map((set, i) => {
      const all = Int32Array.from(set).sort();
      let kept = all;
      if (all.length > o.maxNeighbours) {
        for (let k = 0; k < o.maxNeighbours; k++) {
          const j = k + Math.floor(rng() * (all.length - k));
          const tmp = all[k];
          all[k] = all[j];
          all[j] = tmp;
        }
        kept = all.slice(0, o.maxNeighbours).sort();
      }
      offsets[i + 1] = offsets[i] + kept.length;
      return kept;
    });
    this.offsets = offsets;
    this.members = new Int32Array(offsets[o.numItems]);
    lists.forEach((l, i) => this.members.set(l, offsets[i]));
  }

  /** The neighbourhood of item `i` (a view). */
  of(i: number): Int32Array {
    return this.members.subarray(this.offsets[i], this.offsets[i + 1]);
  }

  /** Size of item `i`'s neighbourhood. */
  size(i: number): number {
    return this.offsets[i + 1] - this.offsets[i];
  }

  /** Pads the neighbourhoods of `items` to the longest among them (at least 1). */
  pad(items: Int32Array): PaddedNeighbourhoods {
    checkIds(`${FN}.pad`, 'items', items, this.numItems);
    let L = 1;
    for (let t = 0; t < items.length; t++) L = Math.max(L, this.size(items[t]));
    const ids = new Int32Array(items.length * L);
    const mask = new Float32Array(items.length * L);
    for (let t = 0; t < items.length; t++) {
      const nb = this.of(items[t]);
      ids.set(nb, t * L);
      mask.fill(1, t * L, t * L + nb.length);
    }
    return { ids, mask, L };
  }
}
