import { UserItemSet, type Scorer } from '@memrec/core';
import { evaluateFull } from './full';
import { protocolCard, renderProtocolCard } from './protocol-card';

const scorer: Scorer = { numItems: 3, scoreAll: (u) => new Float32Array(u.length * 3).fill(1) };

describe('protocolCard', () => {
  test('carries dataset statistics, split, evaluator setup, seeds, backend and versions', async () => {
    const test_ = { users: Int32Array.of(0), items: Int32Array.of(2), numUsers: 1, numItems: 3 };
    const res = await evaluateFull(scorer, test_, { seen: new UserItemSet(1, 3), k: [2] });
    const card = protocolCard({
      dataset: { name: 'toy', numUsers: 2, numItems: 5, numInteractions: 4 },
      split: { name: 'leave-last-out', params: { validation: false } },
      evaluation: res.setup,
      seeds: [1, 2],
      backend: 'cpu',
      versions: { '@memrec/core': '0.1.0' },
      model: 'pop',
    });
    expect(card.dataset.density).toBeCloseTo(4 / 10, 12); // 4 / (2 x 5)
    expect(card.versions['@memrec/eval']).toBe('0.1.0');
    const md = renderProtocolCard(card, 'markdown');
    expect(md).toContain('| split | leave-last-out (validation=false) |');
    expect(md).toContain('| protocol | full |');
    expect(md).toContain('| ties | equal scores rank the lower item id first |');
    expect(md).toContain('density 40.000 %');
    expect(JSON.parse(renderProtocolCard(card, 'json'))).toEqual(JSON.parse(JSON.stringify(card)));
  });

  test('missing fields are named', () => {
    const evaluation = { protocol: 'full', k: [1], candidates: 'x', seenFiltering: 'y', tieBreak: 'z', params: {} };
    const ok = { dataset: { name: 'a', numUsers: 1, numItems: 1, numInteractions: 1 }, split: { name: 's' }, evaluation, seeds: [1], backend: 'cpu' };
    expect(() => protocolCard({ ...ok, seeds: [] })).toThrow('protocolCard: seeds must be a non-empty array of numbers, got []');
    expect(() => protocolCard({ ...ok, dataset: { ...ok.dataset, numItems: 0 } })).toThrow('protocolCard: dataset.numItems must be an integer >= 1, got 0');
    expect(() => protocolCard({ ...ok, backend: '' })).toThrow('protocolCard: backend must be a non-empty string, got ""');
  });
});
