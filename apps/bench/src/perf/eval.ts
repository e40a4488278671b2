/**
 * `pnpm bench:perf eval`: full-ranking evaluation of a dot-product model, 6,040 users x 3,706
 * items x 64 dims (MovieLens-1M shapes), against the bare tf.matMul of the same shapes in the
 * same process.
 *
 *  - matmul: user-embedding chunk [c, 64] x item embeddings^T [64, 3,706] with the result read
 *    back (`dataSync`), for every chunk; and one [6,040, 64] x [64, 3,706] product. The faster
 *    of the two is the baseline.
 *  - fullrank: `evaluateFull` with a scorer doing the same chunked matMul, ~165 training items per
 *    user excluded, 10 test items per user, k = 10 and 20 (every metric, exact ranks for AUC/MAP),
 *    with the rows ranked on a worker thread (`createWorkerRanker`) while the next chunk is
 *    scored. The same evaluation ranking on the calling thread is timed too, with the time inside
 *    `scoreAll` apart from the ranking time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { matMul2d, randInt, seededRng, UserItemSet, type Scorer } from '@memrec/core';
import { evaluateFull, type ChunkRanker, type EvaluationResult } from '@memrec/eval';
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

async function best(repeats: number, f: () => Promise<void> | void): Promise<number> {
  let min = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await f();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return min;
}

/** Runs the matMul baselines and the full-ranking evaluation; prints users/s and the ratio. */
export async function run(ctx: PerfContext): Promise<PerfResult> {
  const USERS = ctx.quick ? 1024 : 6040;
  const repeats = ctx.quick ? 2 : 5;
  const U = tf.tensor2d(randomTable(USERS, 1), [USERS, DIM]);
  const V = tf.tensor2d(randomTable(ITEMS, 2), [ITEMS, DIM]);
  const chunks: tf.Tensor2D[] = [];
  for (let s = 0; s < USERS; s += CHUNK) chunks.push(tf.slice(U, [s, 0], [Math.min(CHUNK, USERS - s), DIM]));

  ctx.log(`eval: bare matMul, ${USERS} x ${DIM} x ${ITEMS}, chunks of ${CHUNK} ...`);
  const matmulChunked = await best(repeats, () => {
    for (const c of chunks) {
      const out = matMul2d(c, V, false, true);
      out.dataSync();
      out.dispose();
    }
  });
  const matmulOneShot = await best(repeats, () => {
    const out = matMul2d(U, V, false, true);
    out.dataSync();
    out.dispose();
  });
  const matmulSeconds = Math.min(matmulChunked, matmulOneShot);

  let scoreSeconds = 0;
  const scorer: Scorer = {
    numItems: ITEMS,
    scoreAll(users: Int32Array): Float32Array {
      const t0 = performance.now();
      const out = tf.tidy(() => matMul2d(tf.gather(U, tf.tensor1d(users, 'int32')), V, false, true));
      const data = out.dataSync() as Float32Array;
      out.dispose();
      scoreSeconds += (performance.now() - t0) / 1000;
      return data;
    },
  };
  ctx.log('eval: building ~165 training and 10 test items per user ...');
  const seen = UserItemSet.fromInteractions(randomInteractions(USERS, (rng) => 20 + randInt(rng, 290), 3));
  const test = randomInteractions(USERS, () => 10, 4);
  /** Best of `repeats` evaluations: total seconds, seconds inside scoreAll, the result. */
  const timeEval = async (ranker: ChunkRanker | undefined) => {
    let bestSeconds = Infinity;
    let scoreInBest = 0;
    let result: EvaluationResult | null = null;
    for (let r = 0; r < repeats; r++) {
      scoreSeconds = 0;
      const t0 = performance.now();
      result = await evaluateFull(scorer, test, { seen, k: [10, 20], chunkSize: CHUNK, ranker });
      const total = (performance.now() - t0) / 1000;
      if (total < bestSeconds) {
        bestSeconds = total;
        scoreInBest = scoreSeconds;
      }
    }
    return { seconds: bestSeconds, scoreSeconds: scoreInBest, result: result as EvaluationResult };
  };
  ctx.log(`eval: evaluateFull (chunkSize ${CHUNK}, k = [10, 20]), ranking on this thread ...`);
  const inline = await timeEval(undefined);
  ctx.log('eval: evaluateFull, ranking on a worker thread while the next chunk is scored ...');
  const ranker = createWorkerRanker();
  let worker: Awaited<ReturnType<typeof timeEval>>;
  try {
    worker = await timeEval(ranker);
  } finally {
    await ranker.close();
  }
  const same = Object.keys(inline.result.metrics).every((m) => inline.result.metrics[m] === worker.result.metrics[m]);
  if (!same) throw new Error('perf eval: the worker ranker gave different metrics from the inline ranker');
  tf.dispose([U, V, ...chunks]);

  const fullUps = USERS / worker.seconds;
  const matUps = USERS / matmulSeconds;
  const rankSeconds = inline.seconds - inline.scoreSeconds;
  return {
    rows: [
      { variant: `bare matMul, ${chunks.length} chunks of ${CHUNK}`, backend: ctx.backend, seconds: matmulChunked, 'users/s': USERS / matmulChunked },
      { variant: 'bare matMul, one product', backend: ctx.backend, seconds: matmulOneShot, 'users/s': USERS / matmulOneShot },
      { variant: 'evaluateFull, ranking on a worker thread', backend: ctx.backend, seconds: worker.seconds, 'users/s': fullUps },
      { variant: 'evaluateFull, ranking on this thread', backend: ctx.backend, seconds: inline.seconds, 'users/s': USERS / inline.seconds },
      { variant: '  of which scoreAll (gather + matMul + read)', backend: ctx.backend, seconds: inline.scoreSeconds, 'users/s': USERS / inline.scoreSeconds },
      { variant: '  of which ranking (top-k, ranks, metrics)', backend: 'none (JS)', seconds: rankSeconds, 'users/s': USERS / rankSeconds },
    ],
    figures: {
      fullrank_users_per_second: fullUps,
      matmul_users_per_second: matUps,
      fullrank_vs_matmul: fullUps / matUps,
      fullrank_one_thread_vs_matmul: USERS / inline.seconds / matUps,
      ranking_seconds: rankSeconds,
      hr_at_10_random_model: worker.result.metrics['hr@10'] ?? NaN,
    },
  };
}
