import type { RunConfig } from '../cli/options';
import { BprMf } from './bprmf';
import { Cmn } from './cmn';
import { NeuMf } from './neumf';
import { Nmrn } from './nmrn';
import { ItemPop } from './pop';
import type { Recommender } from './types';

/**
 * Model variants of a run. `nmrn` is the first NMRN sampler with the first memory; each other
 * sampler adds `nmrn-<sampler>` (first memory) and each other memory adds `nmrn-<memory>`
 * (first sampler), so every variant differs from `nmrn` in one thing.
 */
export function modelVariants(cfg: RunConfig): string[] {
  const out: string[] = [];
  for (const m of cfg.models) {
    if (m === 'nmrn') {
      out.push('nmrn');
      for (const s of cfg.nmrnSamplers.slice(1)) out.push(`nmrn-${s}`);
      for (const mem of cfg.nmrnMemory.slice(1)) out.push(`nmrn-${mem}`);
    } else out.push(m);
  }
  return out;
}

/** Default mini-batch size per model (NMRN writes its memory per batch: smaller is closer to the stream), overridden by --batch-size. */
export const DEFAULT_BATCH: Record<string, number> = { nmrn: 256, cmn: 256, neumf: 256, bprmf: 1024, pop: 1024 };

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
      const m = /^nmrn(?:-(uniform|popularity|gan|dns|per-user|shared))?$/.exec(variant);
      if (!m) throw new Error(`createModel: variant must be one of nmrn[-sampler|-memory], cmn, neumf, bprmf, pop, got "${variant}"`);
      const isMemory = m[1] === 'per-user' || m[1] === 'shared';
      const memory = (isMemory ? m[1] : cfg.nmrnMemory[0]) as 'shared' | 'per-user';
      const sampler = (m[1] && !isMemory ? m[1] : cfg.nmrnSamplers[0]) as 'gan';
      // The last-write gradient of the erase/add projections is affordable with one shared memory only.
      return new Nmrn({ ...(dim ? { dim } : {}), sampler, memory, writeGradient: memory === 'shared', candidates: 16 });
    }
  }
}
