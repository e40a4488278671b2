import { Nmrn } from '@memrec/models';
import { NMRN_VARIANTS, resolveConfig } from '../cli/options';
import { createModel, modelVariants } from './variants';

describe('modelVariants', () => {
  it('expands nmrn into one variant per extra sampler and memory', () => {
    expect(modelVariants(resolveConfig({}))).toEqual(['nmrn', 'cmn', 'neumf', 'bprmf', 'pop']);
    expect(modelVariants(resolveConfig({ nmrnSampler: 'uniform,gan' }))).toEqual(['nmrn', 'nmrn-gan', 'cmn', 'neumf', 'bprmf', 'pop']);
    expect(modelVariants(resolveConfig({ models: 'nmrn', nmrnSampler: 'dns,gan', nmrnMemory: 'per-user,shared' }))).toEqual(['nmrn', 'nmrn-gan', 'nmrn-shared']);
  });

  it('runs a variant named in --models as that variant, once', () => {
    expect(modelVariants(resolveConfig({ models: 'nmrn-dns,pop' }))).toEqual(['nmrn-dns', 'pop']);
    expect(modelVariants(resolveConfig({ models: 'nmrn,nmrn-gan' }))).toEqual(['nmrn', 'nmrn-gan']);
    expect(modelVariants(resolveConfig({ models: 'nmrn-gan,nmrn' }))).toEqual(['nmrn-gan', 'nmrn']);
  });
});

describe('createModel', () => {
  it('builds each NMRN variant with its own sampler or memory and the first of the other', () => {
    const cfg = resolveConfig({}); // sampler uniform; memory per-user
    const want: Record<string, [string, string]> = {
      'nmrn-uniform': ['uniform', 'per-user'],
      'nmrn-popularity': ['popularity', 'per-user'],
      'nmrn-gan': ['gan', 'per-user'],
      'nmrn-dns': ['dns', 'per-user'],
      'nmrn-shared': ['uniform', 'shared'],
      'nmrn-per-user': ['uniform', 'per-user'],
    };
    expect(Object.keys(want).sort()).toEqual([...NMRN_VARIANTS].sort());
    for (const v of NMRN_VARIANTS) {
      const m = createModel(v, cfg);
      try {
        expect(m).toBeInstanceOf(Nmrn);
        const c = m.config as unknown as { sampler: string; memory: string };
        expect([c.sampler, c.memory]).toEqual(want[v]);
      } finally {
        m.dispose();
      }
    }
    expect(() => createModel('nmrn-svd', cfg)).toThrow('createModel: variant must be one of nmrn[-sampler|-memory], cmn, neumf, bprmf, pop, got "nmrn-svd"');
  });
});
