import { join } from 'node:path';
import { IdMap, type Interactions } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { computeStats, type LoadedDataset } from '../types';
import { makeFields, parseIntId, parseNumber, splitFields, utf8 } from './bytes';
import { InteractionBuilder } from './builder';
import { readLines } from './line-reader';

/**
 * An NCF benchmark dataset: all interactions, plus the predefined split with fixed candidates.
 */
export interface NcfDataset extends LoadedDataset {
  /** `NAME.train.rating`. */
  train: Interactions;
  /** `NAME.test.rating` (one held-out item per test user in the published files). */
  test: Interactions;
  /**
   * The negatives of `NAME.test.negative`, one Int32Array per row of `test`, as written in the
   * file (not de-duplicated: evaluators de-duplicate, as the NCF reference evaluator does).
   */
  candidates: Int32Array[];
  /** Test rows whose own item also appears among its negatives (156 rows in the ml-1m file). */
  testItemInCandidates: number;
}

/**
 * Loads the NCF benchmark files `NAME.train.rating`, `NAME.test.rating` and `NAME.test.negative`
 * from `dir` (He et al., "Neural Collaborative Filtering", WWW 2017). Ids in these files are
 * already dense, so the id maps are the identity (raw id k is dense id k).
 *
 * @example
 * ```ts
 * const ncf = await loadNcf('./Data', 'ml-1m');
 * ncf.candidates[0].length; // 99
 * ```
 */
export async function loadNcf(dir: string, name: string): Promise<NcfDataset> {
  const fn = 'loadNcf';
  if (typeof dir !== 'string' || typeof name !== 'string' || name.length === 0) {
    throw new Error(`${fn}: dir and name must be non-empty strings, got ${show(dir)}, ${show(name)}`);
  }
  const trainB = await readRatings(join(dir, `${name}.train.rating`), fn);
  const testB = await readRatings(join(dir, `${name}.test.rating`), fn);
  const negFile = join(dir, `${name}.test.negative`);
  const candidates: Int32Array[] = [];
  let maxItem = -1;
  let inCands = 0;
  await readLines(negFile, fn, (buf, s, e, lineNo) => {
    const bad = (why: string) => new Error(`${fn}: ${negFile}:${lineNo}: ${why}: ${JSON.stringify(utf8(buf, s, Math.min(e, s + 200)))}`);
    const k = candidates.length;
    let t0 = buf.indexOf(9, s);
    if (t0 < 0 || t0 > e) t0 = e;
    const m = /^\((\d+),(\d+)\)$/.exec(utf8(buf, s, t0));
    if (!m) throw bad('line must start with (user,item)');
    if (k >= testB.length || +m[1] !== testB.users[k] || +m[2] !== testB.items[k]) {
      throw bad(`line must match row ${k + 1} of the test file (user ${testB.users[k]}, item ${testB.items[k]})`);
    }
    const ids: number[] = [];
    for (let p = t0; p < e; ) {
      const q0 = p + 1;
      let q = buf.indexOf(9, q0);
      if (q < 0 || q > e) q = e;
      if (q > q0) {
        const v = parseIntId(buf, q0, q);
        if (v < 0 || v > 0x7fffffff) throw bad(`negative ${ids.length + 1} must be a non-negative integer`);
        ids.push(v);
        if (v > maxItem) maxItem = v;
        if (v === testB.items[k]) inCands++;
      }
      p = q;
    }
    candidates.push(Int32Array.from(ids));
  });
  if (candidates.length !== testB.length) {
    throw new Error(`${fn}: ${negFile} must have one line per test row (${testB.length}), got ${candidates.length}`);
  }
  const numUsers = Math.max(trainB.maxUser, testB.maxUser) + 1;
  const numItems = Math.max(trainB.maxItem, testB.maxItem, maxItem) + 1;
  const train = trainB.finish(numUsers, numItems);
  const test = testB.finish(numUsers, numItems);
  const interactions = concat(train, test);
  const identity = (n: number) => IdMap.from(Array.from({ length: n }, (_, k) => k));
  return {
    interactions,
    users: identity(numUsers),
    items: identity(numItems),
    stats: computeStats(interactions),
    train,
    test,
    candidates,
    testItemInCandidates: inCands,
  };
}

class RatingsBuilder extends InteractionBuilder {
  maxUser = -1;
  maxItem = -1;
}

async function readRatings(file: string, fn: string): Promise<RatingsBuilder> {
  const b = new RatingsBuilder(true, true);
  const fields = makeFields(4);
  const tab = Uint8Array.of(9);
  await readLines(file, fn, (buf, s, e, lineNo) => {
    splitFields(buf, s, e, tab, fields);
    const u = fields.count === 4 ? parseIntId(buf, fields.starts[0], fields.ends[0]) : -1;
    const i = fields.count === 4 ? parseIntId(buf, fields.starts[1], fields.ends[1]) : -1;
    const r = fields.count === 4 ? parseNumber(buf, fields.starts[2], fields.ends[2]) : NaN;
    const t = fields.count === 4 ? parseNumber(buf, fields.starts[3], fields.ends[3]) : NaN;
    if (u < 0 || i < 0 || u > 0x7fffffff || i > 0x7fffffff || r !== r || t !== t) {
      throw new Error(`${fn}: ${file}:${lineNo}: line must be user<TAB>item<TAB>rating<TAB>time with integer ids: ${JSON.stringify(utf8(buf, s, Math.min(e, s + 200)))}`);
    }
    if (u > b.maxUser) b.maxUser = u;
    if (i > b.maxItem) b.maxItem = i;
    b.push(u, i, r, t);
  });
  return b;
}

function concat(a: Interactions, b: Interactions): Interactions {
  const cat = <T extends Int32Array | Float32Array | Float64Array>(x: T, y: T, make: (n: number) => T): T => {
    const out = make(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    users: cat(a.users, b.users, (n) => new Int32Array(n)),
    items: cat(a.items, b.items, (n) => new Int32Array(n)),
    ratings: cat(a.ratings as Float32Array, b.ratings as Float32Array, (n) => new Float32Array(n)),
    timestamps: cat(a.timestamps as Float64Array, b.timestamps as Float64Array, (n) => new Float64Array(n)),
    numUsers: a.numUsers,
    numItems: a.numItems,
  };
}
