import { UserItemSet, type Interactions, type Scorer } from '@memrec/core';
import { checkOptionKeys } from '@memrec/core/internal';
import { MetricAccumulator } from './accumulator';
import { sampleCandidates, type SampledCandidates } from './candidates';
import { checkStructure } from './candidates-io';
import { checkInteractions, checkK, nanError, TIE_BREAK, type EvaluationResult } from './common';
import { rankCandidates } from './topk';

/** Options of {@link evaluateSampled}. */
export interface SampledEvalOptions {
  /** Training items of each user (never drawn as candidates; a test case whose item is one is dropped). */
  seen: UserItemSet;
  /** Negatives per test case (default 100). Ignored when `candidates` are given. */
  n?: number;
  /** Seed of the candidate draw (required unless `candidates` are given). */
  seed?: number;
  /** Cut-offs (each <= n + 1). */
  k: number[];
  /** Predefined or reloaded candidates (one case per test interaction, same order). */
  candidates?: SampledCandidates;
  /** Test cases scored per call (default 1024). */
  chunkSize?: number;
  /** Model name used in error messages (default `"model"`). */
  name?: string;
}

/** What {@link evaluateSampled} returns: the result and the candidates to store with the run. */
export interface SampledEvaluationResult extends EvaluationResult {
  candidates: SampledCandidates;
}

function checkMatches(fn: string, c: SampledCandidates, test: Interactions, numItems: number): void {
  checkStructure(fn, c);
  if (c.numItems !== numItems) throw new Error(`${fn}: candidates must be for a catalogue of ${numItems} items (the scorer's), got ${c.numItems}: they do not match the dataset`);
  if (c.users.length !== test.users.length) throw new Error(`${fn}: candidates must list one case per test interaction (${test.users.length}), got ${c.users.length}: they do not match the dataset`);
  for (let r = 0; r < c.users.length; r++) {
    if (c.users[r] !== test.users[r] || c.items[r] !== test.items[r]) {
      throw new Error(`${fn}: candidates case ${r} must be (user ${test.users[r]}, item ${test.items[r]}) as in the test set, got (user ${c.users[r]}, item ${c.items[r]}): they do not match the dataset`);
    }
  }
}

/**
 * The **sampled-N** protocol (uni-N): every test interaction (u, i) is ranked among its N
 * candidates, items u never interacted with (train or test), drawn uniformly and seeded
 * ({@link sampleCandidates}), or given (`candidates`, e.g. NCF files via `candidatesFromLists`,
 * already de-duplicated as the NCF reference does). The candidates come back in the result so
 * the run can save them (`saveCandidates`) and repeat them (`loadCandidates`).
 *
 * Uses `scorer.score(users, items)` when present, else `scorer.scoreAll`. Ties: equal scores rank
 * the lower item id first. Sampled metrics can reverse the order of models (Krichene & Rendle,
 * KDD 2020): report them beside full ranking, never alone.
 *
 * @example
 * ```ts
 * const res = await evaluateSampled(model, test, { seen, n: 100, seed: 1, k: [10] });
 * fs.writeFileSync('cands.bin', saveCandidates(res.candidates, 'binary'));
 * ```
 */
export async function evaluateSampled(scorer: Scorer, test: Interactions, options: SampledEvalOptions): Promise<SampledEvaluationResult> {
  const fn = 'evaluateSampled';
  const numItems = scorer?.numItems;
  if (!Number.isInteger(numItems) || numItems < 1) throw new Error(`${fn}: scorer.numItems must be an integer >= 1, got ${numItems}`);
  checkInteractions(fn, 'test', test, numItems);
  checkOptionKeys(fn, options, ['seen', 'n', 'seed', 'k', 'candidates', 'chunkSize', 'name'], false);
  const { seen } = options;
  if (!(seen instanceof UserItemSet)) throw new Error(`${fn}: seen must be a UserItemSet of training items, got ${typeof seen}`);
  const model = options.name ?? 'model';
  const chunkSize = options.chunkSize ?? 1024;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`${fn}: chunkSize must be an integer >= 1, got ${chunkSize}`);
  let cands: SampledCandidates;
  if (options.candidates) {
    cands = options.candidates;
    checkMatches(fn, cands, test, numItems);
  } else {
    const n = options.n ?? 100;
    if (!Number.isInteger(n) || n < 1) throw new Error(`${fn}: n must be an integer >= 1, got ${n}`);
    if (!Number.isFinite(options.seed)) throw new Error(`${fn}: seed must be a finite number (candidates are seeded), got ${options.seed}`);
    cands = sampleCandidates({ ...test, numItems }, { seen, n, seed: options.seed as number });
  }
  const ks = checkK(fn, options.k, numItems);
  if (ks[ks.length - 1] > cands.n + 1) throw new Error(`${fn}: k must be <= n + 1 (${cands.n + 1}, the items ranked per case), got ${ks[ks.length - 1]}`);
  const distance = scorer.kind === 'distance';
  const maxK = ks[ks.length - 1];
  const acc = new MetricAccumulator({ k: ks, numItems });
  const top = new Int32Array(maxK);
  const pos = new Int32Array(1);
  const cases: number[] = [];
  let droppedRelevant = 0;
  for (let c = 0; c < test.users.length; c++) {
    if (seen.has(test.users[c], test.items[c])) droppedRelevant++;
    else cases.push(c);
  }
  const { offsets, negatives } = cands;
  for (let c0 = 0; c0 < cases.length; c0 += chunkSize) {
    const chunk = cases.slice(c0, c0 + chunkSize);
    let total = 0;
    for (const c of chunk) total += 1 + offsets[c + 1] - offsets[c];
    // Each case's list: the held-out item first, then its negatives.
    const us = new Int32Array(total);
    const is = new Int32Array(total);
    let w = 0;
    for (const c of chunk) {
      const len = 1 + offsets[c + 1] - offsets[c];
      us.fill(test.users[c], w, w + len);
      is[w] = test.items[c];
      is.set(negatives.subarray(offsets[c], offsets[c + 1]), w + 1);
      w += len;
    }
    const vals = await scoreLists(fn, model, scorer, us, is, numItems);
    w = 0;
    for (const c of chunk) {
      const len = 1 + offsets[c + 1] - offsets[c];
      const v = vals.subarray(w, w + len);
      for (let j = 0; j < len; j++) if (v[j] !== v[j]) throw nanError(fn, model, test.users[c], is[w + j]);
      pos[0] = rankCandidates(v, is.subarray(w, w + len), 0, distance, maxK, top);
      acc.add({ user: test.users[c], topK: top.subarray(0, Math.min(maxK, len)), positions: pos, numRelevant: 1, numRanked: len });
      w += len;
    }
  }
  const users = new Set(cases.map((c) => test.users[c]));
  const protocol = `sampled-${cands.n}`;
  const what =
    cands.source === 'sampled'
      ? `${cands.n} items per test case drawn uniformly from the items the user never interacted with (seed ${cands.seed})`
      : `predefined candidate lists (${cands.n} per case), de-duplicated as the NCF reference (${cands.dedupedCases} cases changed)`;
  return {
    metrics: acc.result(),
    perUnit: acc.perUnit(),
    counts: { units: acc.count, users: users.size, skippedUsers: 0, droppedRelevant },
    setup: {
      protocol,
      k: ks,
      candidates: `the held-out item and ${what}`,
      seenFiltering: 'candidates exclude every item the user interacted with; test cases whose item is a training item dropped',
      tieBreak: TIE_BREAK,
      params: { n: cands.n, source: cands.source, seed: cands.seed ?? 'none', dedupedCases: cands.dedupedCases, chunkSize },
    },
    candidates: cands,
  };
}

/** Scores (users[j], items[j]) pairs with `score` when present, else by rows of `scoreAll` (internal). */
export async function scoreLists(fn: string, model: string, scorer: Scorer, users: Int32Array, items: Int32Array, numItems: number): Promise<Float32Array> {
  if (scorer.score) {
    const out = await scorer.score(users, items);
    if (!(out instanceof Float32Array) || out.length !== users.length) throw new Error(`${fn}: score of model ${JSON.stringify(model)} must return a Float32Array of length ${users.length}, got length ${out?.length}`);
    return out;
  }
  const uniq: number[] = [];
  const rowOf = new Map<number, number>();
  for (const u of users) if (!rowOf.has(u)) rowOf.set(u, uniq.push(u) - 1);
  const all = await scorer.scoreAll(Int32Array.from(uniq));
  if (!(all instanceof Float32Array) || all.length !== uniq.length * numItems) {
    throw new Error(`${fn}: scoreAll of model ${JSON.stringify(model)} must return a Float32Array of ${uniq.length} x ${numItems}, got length ${all?.length}`);
  }
  const out = new Float32Array(users.length);
  for (let j = 0; j < users.length; j++) out[j] = all[(rowOf.get(users[j]) as number) * numItems + items[j]];
  return out;
}
