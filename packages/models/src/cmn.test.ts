import { streamSplit, syntheticStream } from '@memrec/data';
import { expectNoLeak, useCpuBackend } from '@memrec/test-helpers';
import { Cmn, CMN_PAPER } from './cmn';

useCpuBackend();

const data = syntheticStream({ seed: 7, numUsers: 40, numItems: 30, numEvents: 1500 });
const { train } = streamSplit(data, { trainRatio: 0.6, blocks: 1 });
// pairs of users and items that the training set holds (others get the base class's neutral scores)
const trainedUsers = [...new Set(train.users)].slice(0, 10);
const trainedItems = [...new Set(train.items)].slice(0, 10);
const pairUsers = Int32Array.from({ length: 40 }, (_, k) => trainedUsers[k % trainedUsers.length]);
const pairItems = Int32Array.from({ length: 40 }, (_, k) => trainedItems[(k * 7) % trainedItems.length]);

/** m_u . e_i read from the layer's memories. */
function dot(cmn: Cmn, u: number, i: number): number {
  const layer = cmn.layer!;
  const d = layer.dim;
  let s = 0;
  for (let k = 0; k < d; k++) s += layer.userMemory.data[u * d + k] * layer.itemMemory.data[i * d + k];
  return s;
}

describe('Cmn', () => {
  it("outputInit 'gmf': before any CMN epoch it scores m_u . e_i plus one constant (the pre-trained GMF's ranking)", async () => {
    await expectNoLeak(async () => {
      const cmn = new Cmn({ dim: 6, maxNeighbours: 8, pretrainEpochs: 3, epochs: 0, outputInit: 'gmf', seed: 1 });
      await cmn.fit(train);
      const [users, items] = [pairUsers, pairItems];
      const r = cmn.score(users, items);
      // r = v^T relu(I (m_u * e_i) + 0 o + b) with v = 1 and b >= every |m_u,k e_i,k|: sum_k m_u,k e_i,k + d b
      const offsets = Array.from(users, (u, t) => r[t] - dot(cmn, u, items[t]));
      for (const o of offsets) expect(o).toBeCloseTo(offsets[0], 4);
      expect(offsets[0]).toBeGreaterThan(0);
      cmn.dispose();
    });
  });

  it("outputInit 'glorot' keeps a random output layer (scores are not the GMF dot product)", async () => {
    await expectNoLeak(async () => {
      const cmn = new Cmn({ dim: 6, maxNeighbours: 8, pretrainEpochs: 3, epochs: 0, outputInit: 'glorot', seed: 1 });
      await cmn.fit(train);
      const [users, items] = [pairUsers, pairItems];
      const r = cmn.score(users, items);
      const offsets = Array.from(users, (u, t) => r[t] - dot(cmn, u, items[t]));
      expect(Math.max(...offsets) - Math.min(...offsets)).toBeGreaterThan(1e-3);
      cmn.dispose();
    });
  });

  it("defaults: LearnBPR pre-training, the GMF output start, dim 32, 2 epochs at lr 0.001; the paper preset keeps the paper's start", () => {
    expect(new Cmn().config).toMatchObject({ dim: 32, pretrainSolver: 'sgd', pretrainEpochs: 100, outputInit: 'gmf', learningRate: 0.001, epochs: 2 });
    expect(new Cmn(CMN_PAPER).config).toMatchObject({ pretrainSolver: 'adam', outputInit: 'glorot', optimizer: 'rmsprop', dim: 50 });
    expect(() => new Cmn({ outputInit: 'identity' as never })).toThrow('Cmn: option outputInit must be one of "glorot", "gmf", got "identity"');
    expect(() => new Cmn({ pretrainSolver: 'lbfgs' as never })).toThrow('Cmn: option pretrainSolver must be one of "adam", "sgd", got "lbfgs"');
  });

  it('trains with Adam pre-training and the random output layer too (finite scores)', async () => {
    await expectNoLeak(async () => {
      const cmn = new Cmn({ dim: 6, maxNeighbours: 8, pretrainEpochs: 1, pretrainSolver: 'adam', outputInit: 'glorot', epochs: 1, batchSize: 64, seed: 2 });
      await cmn.fit(train);
      const all = cmn.scoreAll(Int32Array.of(0, 1));
      expect(all.every(Number.isFinite)).toBe(true);
      cmn.dispose();
    });
  });
});
