import { BprMf, Cmn, Gru4Rec, Irgan, ItemPop, NeuMf, Nmrn, Rum, Stamp, type BaseRecommender, type NmrnOptions, type TrainingOptions } from '@memrec/models';
import { dnsSampler } from '@memrec/samplers';
import { CfNade, RatingBias } from '@memrec/models';
import { Dmn, Mars } from '@memrec/models';
import { Ksr, type KsrAttributes } from '@memrec/models';
import type { EarlyStopping, RunConfig } from '../cli/options';
import { PRESETS } from '../cli/model-options';

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
 * The options a variant is built with: the library's defaults, then the `--preset`'s options
 * of the model (e.g. `paper` for CMN), then the run's `--dim`,
 * `--epochs` and `--batch-size`, then `--set` / config options of the model (`nmrn`), then of
 * the variant itself (`nmrn-uniform`). An NMRN variant's own sampler or memory always holds.
 *
 * @example
 * ```ts
 * variantOptions('cmn', resolveConfig({ set: ['cmn.dim=50'] })); // { dim: 50 }
 * ```
 */
export function variantOptions(variant: string, cfg: RunConfig): Record<string, unknown> {
  const base = variant.startsWith('nmrn') ? 'nmrn' : variant === 'bprmf-dns' ? 'bprmf' : variant;
  const out: Record<string, unknown> = { ...(cfg.preset !== undefined ? (PRESETS[cfg.preset]?.[base] ?? {}) : {}) };
  if (cfg.dim && base !== 'pop') out[base === 'neumf' ? 'factors' : base === 'gru4rec' ? 'hidden' : 'dim'] = cfg.dim;
  if (base === 'bias') delete out.dim;
  if (base === 'cfnade' && out.dim !== undefined) {
    out.hidden = out.dim; // --dim is CF-NADE's hidden layer
    delete out.dim;
  }
  if (cfg.epochs !== undefined) out.epochs = cfg.epochs;
  if (cfg.batchSize !== undefined) out.batchSize = cfg.batchSize;
  Object.assign(out, cfg.modelOptions[base] ?? {});
  if (variant !== base) Object.assign(out, cfg.modelOptions[variant] ?? {});
  if (base === 'nmrn') {
    const m = /^nmrn(?:-(uniform|popularity|gan|dns|per-user|shared))?$/.exec(variant);
    if (!m) throw new Error(`createModel: variant must be one of nmrn[-sampler|-memory], cmn, neumf, bprmf, pop, got "${variant}"`);
    const isMemory = m[1] === 'per-user' || m[1] === 'shared';
    if (isMemory) out.memory = m[1];
    else out.memory ??= cfg.nmrnMemory[0];
    if (m[1] && !isMemory) out.sampler = m[1];
    else out.sampler ??= cfg.nmrnSamplers[0];
  }
  return out;
}

/**
 * A fresh model of `@memrec/models` for a variant name, with {@link variantOptions} (the
 * benchmark's defaults are the library's). `side.attributes`: the dataset's item attributes
 * (MovieLens-100K genres), for the models that use them (`ksr`; without them it keeps one key).
 *
 * @example
 * ```ts
 * const m = createModel('nmrn-uniform', cfg);
 * ```
 */
export function createModel(variant: string, cfg: RunConfig, side: { attributes?: KsrAttributes } = {}): BaseRecommender<TrainingOptions> {
  const o = variantOptions(variant, cfg);
  switch (variant) {
    case 'pop':
      return new ItemPop(o);
    case 'bprmf':
      return new BprMf(o);
    case 'cmn':
      return new Cmn(o);
    case 'neumf':
      return new NeuMf(o);
    case 'gru4rec':
      return new Gru4Rec(o);
    case 'rum-item':
      return new Rum({ ...o, memory: 'item' });
    case 'rum-feature':
      // K latent features: 20 slots unless set (the item memory's default of 5 is a window length)
      return new Rum({ slots: 20, ...o, memory: 'feature' });
    case 'stamp':
      return new Stamp(o);
    case 'mars':
      return new Mars(o);
    case 'dmn':
      return new Dmn(o);
    case 'ksr':
      return new Ksr(o, side.attributes);
    case 'irgan':
      return new Irgan(o);
    case 'cfnade':
      return new CfNade(o);
    case 'bias':
      return new RatingBias(o);
    case 'bprmf-dns': {
      // DNS (Zhang et al., SIGIR 2013): the hardest of 5 uniform candidates under the model being trained
      const m: BprMf = new BprMf(o, (seen, seed) => dnsSampler({ seen, seed, candidates: 5, score: (u, i) => m.score(u, i) }));
      return m;
    }
    default:
      if (!variant.startsWith('nmrn')) throw new Error(`createModel: variant must be one of nmrn[-sampler|-memory], cmn, neumf, bprmf[-dns], pop, irgan, gru4rec, rum-item, rum-feature, stamp, ksr, mars, dmn, got "${variant}"`);
      return new Nmrn(o as Partial<NmrnOptions>);
  }
}

/**
 * Each model's early stopping when the run sets none (`--early-stopping` unset), by base model
 * (`bprmf` also covers `bprmf-dns`, `nmrn` every NMRN variant; a variant's own entry wins).
 * Early stopping trains on the training data minus a validation split and is not retrained on
 * all of it afterwards, so it pays off only where the best epoch gains more than the held-out
 * events cost. Measured (seeds 1-3, `ndcg@10:3` against none, paired t over seeds; README, "The
 * searches behind the defaults"): GRU4Rec gains on MovieLens-100K (temporal, full NDCG@10
 * 0.079 -> 0.127 at its 5 default epochs, p = 0.050) and is level on the synthetic stream
 * (HR@10 0.477 -> 0.481, p = 0.41), so it stops early by default; BPR-MF, NeuMF and CMN lost on
 * both datasets and train all their epochs.
 *
 * @example
 * ```ts
 * EARLY_STOPPING_DEFAULTS.gru4rec; // { metric: 'ndcg@10', patience: 3 }
 * EARLY_STOPPING_DEFAULTS.bprmf; // undefined: BPR-MF trains all its epochs on all the training data
 * ```
 */
export const EARLY_STOPPING_DEFAULTS: Readonly<Record<string, EarlyStopping>> = { gru4rec: { metric: 'ndcg@10', patience: 3 } };

/**
 * The early stopping a variant trains with: the run's `--early-stopping` for every model when
 * set (`none`: off), else the variant's default from `defaults` ({@link EARLY_STOPPING_DEFAULTS}),
 * else off (`undefined`).
 *
 * @example
 * ```ts
 * earlyStoppingFor('bprmf', resolveConfig({ earlyStopping: 'ndcg@10:5' })); // { metric: 'ndcg@10', patience: 5 }
 * earlyStoppingFor('bprmf', resolveConfig({ earlyStopping: 'none' }), { bprmf: { metric: 'ndcg@10', patience: 3 } }); // undefined
 * earlyStoppingFor('bprmf-dns', resolveConfig({}), { bprmf: { metric: 'ndcg@10', patience: 3 } }); // { metric: 'ndcg@10', patience: 3 }
 * ```
 */
export function earlyStoppingFor(variant: string, cfg: Pick<RunConfig, 'earlyStopping'>, defaults: Readonly<Record<string, EarlyStopping>> = EARLY_STOPPING_DEFAULTS): EarlyStopping | undefined {
  if (cfg.earlyStopping === 'none') return undefined;
  if (cfg.earlyStopping !== undefined) return cfg.earlyStopping;
  const base = variant.startsWith('nmrn') ? 'nmrn' : variant === 'bprmf-dns' ? 'bprmf' : variant;
  return defaults[variant] ?? defaults[base];
}

/**
 * How the protocol card writes an early-stopping setting: `METRIC:patience`, or `none`.
 *
 * @example
 * ```ts
 * formatEarlyStopping({ metric: 'ndcg@10', patience: 3 }); // 'ndcg@10:3'
 * formatEarlyStopping(undefined); // 'none'
 * ```
 */
export function formatEarlyStopping(es: EarlyStopping | undefined): string {
  return es ? `${es.metric}:${es.patience}` : 'none';
}
