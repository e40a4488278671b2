import type { Interactions, Recommender } from '@memrec/core';

/** Test fixtures shared by the window models' tests (not exported by the package). */

/** softmax_j(q . rows_j) pooled rows, float64. */
export function softmaxPool(q: ArrayLike<number>, rows: number[][]): number[] {
  const D = q.length;
  if (rows.length === 0) return new Array(D).fill(0);
  const s = rows.map((k) => k.reduce((a, x, d) => a + x * q[d], 0));
  const mx = Math.max(...s);
  const e = s.map((x) => Math.exp(x - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return Array.from({ length: D }, (_, d) => rows.reduce((a, v, k) => a + (e[k] / z) * v[d], 0));
}

/** A user's items in time order. */
export function historyOf(x: Interactions, u: number): number[] {
  const rows: number[] = [];
  for (let k = 0; k < x.users.length; k++) if (x.users[k] === u) rows.push(k);
  rows.sort((a, b) => (x.timestamps as Float64Array)[a] - (x.timestamps as Float64Array)[b] || a - b);
  return rows.map((k) => x.items[k]);
}

/**
 * 40 users, 30 items in 6 groups of 5 (group c: items 5c..5c+4), 21 steps. User u alternates
 * between two groups, `u mod 6` and `(u + 1 + floor(u / 6)) mod 6`, four steps in each (the first
 * phase has two), cycling through the group's items: step t is in phase `floor((t + 2) / 4)`.
 * Items are about equally popular and each user's two groups equally frequent, so the group of
 * her next item (step 21, in the phase of steps 18..20) follows only from her last items.
 */
export function groupSequences(): { x: Interactions; next: number[] } {
  const users: number[] = [];
  const items: number[] = [];
  const at = (u: number, t: number) => {
    const phase = Math.floor((t + 2) / 4);
    const g = phase % 2 === 0 ? u % 6 : (u + 1 + Math.floor(u / 6)) % 6;
    return 5 * g + ((t + u) % 5);
  };
  for (let t = 0; t < 21; t++) for (let u = 0; u < 40; u++) {
    users.push(u);
    items.push(at(u, t));
  }
  const x: Interactions = { users: Int32Array.from(users), items: Int32Array.from(items), timestamps: Float64Array.from(users, (_, k) => k), numUsers: 40, numItems: 30 };
  return { x, next: Array.from({ length: 40 }, (_, u) => at(u, 21)) };
}

/** Share of users whose `next` item is in their top `k` (seen items allowed). */
export function hitRate(m: Recommender, next: number[], k: number): number {
  let hits = 0;
  next.forEach((i, u) => {
    if (m.recommend(u, k, { excludeSeen: false }).items.includes(i)) hits++;
  });
  return hits / next.length;
}
