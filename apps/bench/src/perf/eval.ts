/**
 * `pnpm bench:perf eval`: full-ranking evaluation of a dot-product model, 6,040 users x 3,706
 * items x 64 dims (MovieLens-1M shapes), against the bare tf.matMul of the same shapes in the
 * same process.
 *
 *  - matmul: user-embedding chunk [c, 64] x item embeddings^T [64, 3,706] (transposed once, before
 *    timing) with the result read
 *    back, for every chunk (pre-sliced before timing), read with `dataSync` (a fresh array per
 *    chunk) and with `readInto` (one reused buffer); and one [6,040, 64] x [64, 3,706] product.
 *    The fastest of these is the baseline.
 *  - fullrank: `evaluateFull` with a scorer doing the same chunked matMul on the users it is given
 *    (their rows copied on the host and uploaded, matMul, `readInto` the buffer the evaluator offers), ~165 training
 *    items per user excluded, 10 test items per user, k = 10 and 20 (every metric, exact ranks for
 *    AUC/MAP), with the rows ranked on a worker thread (`createWorkerRanker`) while the next chunk
 *    is scored. The same evaluation ranking on the calling thread is timed too, with the time
 *    inside `scoreAll` apart from the ranking time.
 *
 * Every variant runs once per round, rounds repeated, and each keeps its fastest round: the
 * baseline and the evaluation see the same machine conditions (a shared machine drifts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { randInt, readInto, seededRng, UserItemSet, type Scorer } from '@memrec/core';
import { evaluateFull, type EvaluationResult } from '@memrec/eval';
import { createWorkerRanker } from '@memrec/eval/node';
import type { PerfContext, PerfResult } from './types';

const ITEMS = 3706;
const DIM = 64;
const CHUNK = 512;

function randomTable(rows: number, seed: number): Float32Array {
  const rng = seededRng(seed);
  return Float32Array.from({ length: rows * DIM }, () => (rng() - 0.5) * 0.2);
}

/** Distinct random items per user: `count(u)` draws, sorted and de-duplicated by UserItemSet. */
function randomInteractions(users: number, perUser: (rng: () => number) => number, seed: number) {
  const rng = seededRng(seed);
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < users; u++) {
    for (let c = perUser(rng); c > 0; c--) {
      us.push(u);
      is.push(randInt(rng, ITEMS));
    }
  }
  return { users: Int32Array.from(us), items: Int32Array.from(is), numUsers: users, numItems: ITEMS };
}

/** Runs the matMul baselines and the full-ranking evaluation; prints users/s and the ratio. */
export async function run(ctx: PerfContext): Promise<PerfResult> {
  const USERS = ctx.quick ? 1024 : 6040;
  const rounds = ctx.quick ? 2 : 7;
  const userTable = randomTable(USERS, 1);
  const U = tf.tensor2d(userTable, [USERS, DIM]);
  const V = tf.tensor2d(randomTable(ITEMS, 2), [ITEMS, DIM]);
  // transposed once: every product below is a plain [c, 64] x [64, 3,706] matMul (a transposed
  // operand is a slow path, or an extra copy per product, on wasm)
  const VT = tf.transpose(V);
  const chunks: tf.Tensor2D[] = [];
  for (let s = 0; s < USERS; s += CHUNK) chunks.push(tf.slice(U, [s, 0], [Math.min(CHUNK, USERS - s), DIM]));
  const readBuffer = new Float32Array(CHUNK * ITEMS);
  const oneShotBuffer = new Float32Array(USERS * ITEMS);

  let scoreSeconds = 0;
  const scorer: Scorer = {
    numItems: ITEMS,
    scoreAll(users: Int32Array, out?: Float32Array): Float32Array {
      const t0 = performance.now();
      // the users' rows copied on the host and uploaded (as SparseEmbedding.lookup does: tf.gather
      // on wasm costs about a third of the product here)
      const rows = new Float32Array(users.length * DIM);
      for (let r = 0; r < users.length; r++) rows.set(userTable.subarray(users[r] * DIM, (users[r] + 1) * DIM), r * DIM);
      const scores = tf.tidy(() => tf.matMul(tf.tensor2d(rows, [users.length, DIM]), VT));
      const data = readInto(scores, out);
      scores.dispose();
      scoreSeconds += (performance.now() - t0) / 1000;
      return data.length === users.length * ITEMS ? data : data.subarray(0, users.length * ITEMS);
    },
  };
  ctx.log('eval: building ~165 training and 10 test items per user ...');
  const seen = UserItemSet.fromInteractions(randomInteractions(USERS, (rng) => 20 + randInt(rng, 290), 3));
  const test = randomInteractions(USERS, () => 10, 4);
  const ranker = createWorkerRanker();
  const variants: { name: string; backend: string; run: () => Promise<unknown> | unknown }[] = [
    {
      name: `bare matMul, ${chunks.length} chunks of ${CHUNK}, dataSync`,
      backend: ctx.backend,
      run: () => {
        for (const c of chunks) {
          const out = tf.matMul(c, VT);
          out.dataSync();
          out.dispose();
        }
      },
    },
    {
      name: `bare matMul, ${chunks.length} chunks of ${CHUNK}, readInto one buffer`,
      backend: ctx.backend,
      run: () => {
        for (const c of chunks) {
          const out = tf.matMul(c, VT);
          readInto(out, readBuffer);
          out.dispose();
        }
      },
    },
    {
      name: 'bare matMul, one product, readInto',
      backend: ctx.backend,
      run: () => {
        const out = tf.matMul(U, VT);
        readInto(out, oneShotBuffer);
        out.dispose();
      },
    },
    { name: 'evaluateFull, ranking on a worker thread', backend: ctx.backend, run: () => evaluateFull(scorer, test, { seen, k: [10, 20], chunkSize: CHUNK, ranker }) },
    { name: 'evaluateFull, ranking on this thread', backend: ctx.backend, run: () => evaluateFull(scorer, test, { seen, k: [10, 20], chunkSize: CHUNK }) },
  ];
  const bestSeconds = variants.map(() => Infinity);
  /** scoreAll's seconds in the fastest round of the inline evaluation. */
  let inlineScoreSeconds = 0;
  const results: EvaluationResult[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      ctx.log(`eval: round ${round + 1} of ${rounds}: ${variants.length} variants ...`);
      for (let v = 0; v < variants.length; v++) {
        scoreSeconds = 0;
        const t0 = performance.now();
        const res = await variants[v].run();
        const seconds = (performance.now() - t0) / 1000;
        if (round === 0 && res != null) results.push(res as EvaluationResult);
        if (seconds < bestSeconds[v]) {
          bestSeconds[v] = seconds;
          if (v === 4) inlineScoreSeconds = scoreSeconds;
        }
      }
    }
  } finally {
    await ranker.close();
    tf.dispose([U, V, VT, ...chunks]);
  }
  const [worker, inline] = results;
  const same = Object.keys(inline.metrics).every((m) => inline.metrics[m] === worker.metrics[m]);
  if (!same) throw new Error('perf eval: the worker ranker gave different metrics from the inline ranker');

  const matmulSeconds = Math.min(bestSeconds[0], bestSeconds[1], bestSeconds[2]);
  const fullUps = USERS / bestSeconds[3];
  const matUps = USERS / matmulSeconds;
  const rankSeconds = bestSeconds[4] - inlineScoreSeconds;
  const row = (v: number) => ({ variant: variants[v].name, backend: variants[v].backend, seconds: bestSeconds[v], 'users/s': USERS / bestSeconds[v] });
  return {
    rows: [
      ...[0, 1, 2, 3, 4].map(row),
      { variant: '  of which scoreAll (rows + matMul + readInto)', backend: ctx.backend, seconds: inlineScoreSeconds, 'users/s': USERS / inlineScoreSeconds },
      { variant: '  of which ranking (top-k, ranks, metrics)', backend: 'none (JS)', seconds: rankSeconds, 'users/s': USERS / rankSeconds },
    ],
    figures: {
      fullrank_users_per_second: fullUps,
      matmul_users_per_second: matUps,
      fullrank_vs_matmul: fullUps / matUps,
      fullrank_one_thread_vs_matmul: USERS / bestSeconds[4] / matUps,
      dataSync_vs_readInto: bestSeconds[1] / bestSeconds[0],
      ranking_seconds: rankSeconds,
      hr_at_10_random_model: worker.metrics['hr@10'] ?? NaN,
    },
  };
}
