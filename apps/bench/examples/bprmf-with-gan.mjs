// Compose your own recommender from the published packages: BPR-MF whose negatives come from
// NMRN's adversarial generator (rewarded with the recommender's own score of each negative).
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, SparseEmbedding, UserItemSet } from '@memrec/core';
import { leaveLastOut, shuffledBatches, syntheticStream } from '@memrec/data';
import { ganSampler } from '@memrec/samplers';
import { bprLoss } from '@memrec/losses';
import { evaluateFull } from '@memrec/eval';

await initBackend({ log: false });
const { train, test } = leaveLastOut(syntheticStream({ seed: 1, numUsers: 300, numItems: 200, numEvents: 15000 }));
const seen = UserItemSet.fromInteractions(train);
const P = new SparseEmbedding({ rows: train.numUsers, dim: 32, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 1 });
const Q = new SparseEmbedding({ rows: train.numItems, dim: 32, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 2 });
const gan = ganSampler({ seen, candidates: 16, seed: 3 });
/** @type {(u: tf.Tensor, i: tf.Tensor) => tf.Tensor} */
const score = (u, i) => tf.sum(tf.mul(u, i), 1);
const batches = shuffledBatches(train, { batchSize: 512, seed: 4 });
for (let epoch = 0; epoch < 5; epoch++) {
  for (const { users, items } of batches) {
    const neg = gan.sample(users, items, 1);
    const [u, p, n] = [P.lookup(users), Q.lookup(items), Q.lookup(neg)];
    const [gu, gp, gn] = tf.grads((a, b, c) => bprLoss(score(a, b), score(a, c)))([u, p, n]);
    const reward = tf.tidy(() => score(u, n).dataSync()); // the critic's view of each negative
    P.applyGradients(users, gu);
    Q.applyGradients(items, gp);
    Q.applyGradients(neg, gn);
    gan.update(users, neg, Float32Array.from(reward));
    tf.dispose([u, p, n, gu, gp, gn]);
  }
}
/** @type {import('@memrec/core').Scorer} */
const model = {
  numItems: train.numItems,
  scoreAll: (users) => tf.tidy(() => /** @type {Float32Array} */ (tf.matMul(P.lookup(users), Q.toTensor(), false, true).dataSync())),
};
const { metrics } = await evaluateFull(model, test, { seen, k: [10] });
gan.dispose();
console.log(JSON.stringify({ 'hr@10': metrics['hr@10'], 'ndcg@10': metrics['ndcg@10'], tensors: tf.memory().numTensors }));
