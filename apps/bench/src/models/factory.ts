import type { RunConfig } from '../cli/options';
import { BprMf } from './bprmf';
import { Cmn } from './cmn';
import { NeuMf } from './neumf';
import { Nmrn } from './nmrn';
import { ItemPop } from './pop';
import type { Recommender } from './types';

/** Model variants of a run: `nmrn` uses the first NMRN sampler, `nmrn-<sampler>` the others. */
export function modelVariants(cfg: RunConfig): string[] {
  const out: string[] = [];
  for (const m of cfg.models) {
    if (m === 'nmrn') {
      cfg.nmrnSamplers.forEach((s, i) => out.push(i === 0 ? 'nmrn' : `nmrn-${s}`));
    } else out.push(m);
  }
  return out;
}

/** Default epochs per model (static training), overridden by --epochs. */
export const DEFAULT_EPOCHS: Record<string, number> = { nmrn: 2, cmn: 1, neumf: 3, bprmf: 10, pop: 1 };

/**
 * Builds a fresh model for a variant name.
 *
 * @example
 * ```ts
 * const m = createModel('bprmf', cfg);
 * ```
 */
export function createModel(variant: string, cfg: RunConfig): Recommender {
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
      const m = /^nmrn(?:-(uniform|popularity|gan|dns))?$/.exec(variant);
      if (!m) throw new Error(`createModel: variant must be one of nmrn[-sampler], cmn, neumf, bprmf, pop, got "${variant}"`);
      return new Nmrn({ ...(dim ? { dim } : {}), sampler: (m[1] ?? cfg.nmrnSamplers[0]) as 'gan', memory: cfg.nmrnMemory });
    }
  }
}
