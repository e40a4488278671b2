import { show } from '@memrec/core/internal';
import { topKRow } from '@memrec/eval';

/**
 * The last `size` item events in a ring, with each item's count among them: the popularity
 * behind `OnlineRecommender`'s cold-start list.
 *
 * @example
 * ```ts
 * const w = new RecentWindow(3, 2);
 * w.remember(Int32Array.of(0, 1, 1, 1), 2); // keeps the last 3: counts [0, 3]
 * w.top(1); // Int32Array [1]
 * ```
 */
export class RecentWindow {
  readonly size: number;
  private ring: Int32Array;
  private pos = 0;
  private filled = 0;
  counts: Float32Array;

  constructor(size: number, numItems: number) {
    this.size = size;
    this.ring = new Int32Array(size);
    this.counts = new Float32Array(numItems);
  }

  /** Adds `items` (ids < `numItems`) in order, dropping the oldest beyond the window. */
  remember(items: Int32Array, numItems: number): void {
    if (this.counts.length < numItems) {
      const grown = new Float32Array(numItems);
      grown.set(this.counts);
      this.counts = grown;
    }
    for (let k = Math.max(0, items.length - this.size); k < items.length; k++) {
      if (this.filled === this.size) this.counts[this.ring[this.pos]]--;
      else this.filled++;
      this.ring[this.pos] = items[k];
      this.counts[items[k]]++;
      this.pos = (this.pos + 1) % this.size;
    }
  }

  /** The `k` items with most events in the window, best first (ties: the lower id). */
  top(k: number): Int32Array {
    const out = new Int32Array(Math.min(k, this.counts.length));
    return out.subarray(0, topKRow(this.counts, out.length, new Int32Array(0), false, out));
  }

  /** The window's state for a saved recommender. */
  toState(): { header: { window: number; ringPos: number; ringFilled: number }; ring: Int32Array } {
    return { header: { window: this.size, ringPos: this.pos, ringFilled: this.filled }, ring: this.ring };
  }

  /** Inverse of {@link toState}; an inconsistent state is an error naming `fn`. */
  static fromState(h: { window: number; ringPos: number; ringFilled: number }, ring: Int32Array, numItems: number, fn: string): RecentWindow {
    if (!Number.isInteger(h.ringFilled) || h.ringFilled < 0 || h.ringFilled > h.window || !Number.isInteger(h.ringPos) || h.ringPos < 0 || h.ringPos >= h.window) {
      throw new Error(`${fn}: bytes must hold a consistent recent window, got position ${show(h.ringPos)} and fill ${show(h.ringFilled)} of ${h.window}`);
    }
    const w = new RecentWindow(h.window, numItems);
    w.ring = ring;
    w.pos = h.ringPos;
    w.filled = h.ringFilled;
    for (let k = 0; k < h.ringFilled; k++) {
      if (ring[k] < 0 || ring[k] >= numItems) throw new Error(`${fn}: recent window entries must be item ids in [0, ${numItems}), got ${ring[k]}`);
      w.counts[ring[k]]++;
    }
    return w;
  }
}
