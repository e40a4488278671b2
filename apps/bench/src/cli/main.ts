import * as tf from '@tensorflow/tfjs-core';
import { initBackend, SparseEmbedding, seededRng, randInt, type BackendName } from '@memrec/core';

/**
 * Entry point of `pnpm bench`. Until the model pipelines land this runs a short, real
 * BPR-MF training on random triples and prints the loss curve, proving the stack works.
 */
export async function runCli(argv: string[]): Promise<void> {
  const backendArg = argv.indexOf('--backend');
  const backend = (backendArg > 0 ? argv[backendArg + 1] : 'auto') as BackendName | 'auto';
  await initBackend({ backend });
  const rng = seededRng(1);
  const users = new SparseEmbedding({ rows: 500, dim: 16, optimizer: { kind: 'adam', learningRate: 0.05 }, seed: 1 });
  const items = new SparseEmbedding({ rows: 300, dim: 16, optimizer: { kind: 'adam', learningRate: 0.05 }, seed: 2 });
  // Each user prefers items with the same id modulo 10: a learnable structure.
  const grads = tf.grads((u: tf.Tensor, i: tf.Tensor, j: tf.Tensor) =>
    tf.mean(tf.softplus(tf.neg(tf.sum(tf.mul(u, tf.sub(i, j)), 1)))),
  );
  console.log('placeholder run: BPR-MF on a structured toy set (the full benchmark lands with apps/bench)');
  for (let step = 1; step <= 200; step++) {
    const n = 256;
    const uu = Int32Array.from({ length: n }, () => randInt(rng, 500));
    const ii = Int32Array.from(uu, (u) => (u % 10) + 10 * randInt(rng, 30));
    const jj = Int32Array.from(uu, (u) => ((u + 1 + randInt(rng, 9)) % 10) + 10 * randInt(rng, 30));
    const [u, i, j] = [users.lookup(uu), items.lookup(ii), items.lookup(jj)];
    const loss = tf.tidy(() => tf.mean(tf.softplus(tf.neg(tf.sum(tf.mul(u, tf.sub(i, j)), 1)))));
    const [gu, gi, gj] = grads([u, i, j]);
    users.applyGradients(uu, gu);
    items.applyGradients(ii, gi);
    items.applyGradients(jj, gj);
    if (step % 40 === 0) console.log(`step ${step}: BPR loss ${loss.dataSync()[0].toFixed(4)}`);
    tf.dispose([u, i, j, gu, gi, gj, loss]);
  }
}
