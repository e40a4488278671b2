import { BprMf, Cmn, ItemPop, NeuMf, Nmrn, type BaseRecommender, type NmrnOptions, type TrainingOptions } from '@memrec/models';
import type { RunConfig } from '../cli/options';

/**
 * Model variants of a run. `nmrn` is the first NMRN sampler with the first memory; each other
 * sampler adds `nmrn-<sampler>` (first memory) and each other memory adds `nmrn-<memory>`
 * (first sampler), so every variant differs from `nmrn` in one thing. A variant named in
 * `--models` (e.g. `nmrn-uniform`) runs as that variant, once, even if `nmrn` adds it too.
 *
 * @example
 * ```ts
 * modelVariants(resolveConfig({})); // ['nmrn', 'nmrn-uniform', 'cmn', 'neumf', 'bprmf', 'pop']
 * modelVariants(resolveConfig({ models: 'nmrn-dns,pop' })); // ['nmrn-dns', 'pop']
 * ```
 */
export function modelVariants(cfg: RunConfig): string[] {
  const out = new Set<string>();
  for (const m of cfg.models) {
    if (m === 'nmrn') {
      out.add('nmrn');
      for (const s of cfg.nmrnSamplers.slice(1)) out.add(`nmrn-${s}`);
      for (const mem of cfg.nmrnMemory.slice(1)) out.add(`nmrn-${mem}`);
    } else out.add(m);
  }
  return [...out];
}

/**
 * A fresh model of `@memrec/models` for a variant name, with the library's defaults and the
 * run's `--dim` (the benchmark's defaults are the library's).
 *
 * @example
 * ```ts
 * const m = createModel('nmrn-uniform', cfg);
 * ```
 */
export function createModel(variant: string, cfg: RunConfig): BaseRecommender<TrainingOptions> {
  const dim = cfg.dim;
  switch (variant) {
    case 'pop':
      return new ItemPop();
    case 'bprmf':
      return new BprMf(dim ? { dim } : {});
    case 'cmn':
      return new Cmn(dim ? { dim } : {});
    case 'neumf':
      return new NeuMf(dim ? { factors: dim } : {});
    default: {
      const m = /^nmrn(?:-(uniform|popularity|gan|dns|per-user|shared))?$/.exec(variant);
      if (!m) throw new Error(`createModel: variant must be one of nmrn[-sampler|-memory], cmn, neumf, bprmf, pop, got "${variant}"`);
      const isMemory = m[1] === 'per-user' || m[1] === 'shared';
      const memory = (isMemory ? m[1] : cfg.nmrnMemory[0]) as NmrnOptions['memory'];
      const sampler = (m[1] && !isMemory ? m[1] : cfg.nmrnSamplers[0]) as NmrnOptions['sampler'];
      return new Nmrn({ ...(dim ? { dim } : {}), sampler, memory });
    }
  }
}
