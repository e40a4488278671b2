import { syntheticStream, toImplicit, type LoadedDataset } from '@memrec/data';
import { loadDelimited, loadMovieLens, loadNcf } from '@memrec/data/node';
import type { RunConfig } from '../cli/options';

/** A dataset ready for the protocols, with what the protocol card needs to say about it. */
export interface BenchDataset {
  name: string;
  data: LoadedDataset;
  /** NCF files: the predefined test set and its fixed candidates. */
  predefined?: Awaited<ReturnType<typeof loadNcf>>;
  /** How it was obtained (file, generator parameters, cleaning). */
  source: Record<string, unknown>;
}

/** Default size of the embedded synthetic stream. */
export const SYNTHETIC_DEFAULTS = { numUsers: 2000, numItems: 1000, numEvents: 100000 };

/**
 * Loads the dataset a configuration names (synthetic by default), applying `--min-rating`.
 *
 * @example
 * ```ts
 * const ds = await loadBenchDataset(resolveConfig({}));
 * ```
 */
export async function loadBenchDataset(cfg: RunConfig, log: (l: string) => void): Promise<BenchDataset> {
  let data: LoadedDataset;
  let predefined: BenchDataset['predefined'];
  const source: Record<string, unknown> = { dataset: cfg.dataset };
  switch (cfg.dataset) {
    case 'synthetic': {
      const size = cfg.synthetic ?? SYNTHETIC_DEFAULTS;
      data = syntheticStream({ seed: 2018, ...size });
      Object.assign(source, { generator: 'syntheticStream', seed: 2018, ...size });
      break;
    }
    case 'movielens-100k':
    case 'movielens-1m':
    case 'movielens-latest-small': {
      const variant = cfg.dataset.replace('movielens-', '') as '100k' | '1m' | 'latest-small';
      data = await loadMovieLens(variant, { dir: cfg.dataDir, onProgress: (p: unknown) => log(`download: ${JSON.stringify(p)}`) });
      source.variant = variant;
      break;
    }
    case 'ncf': {
      predefined = await loadNcf(cfg.dataDir as string, cfg.name as string);
      data = predefined;
      Object.assign(source, { dir: cfg.dataDir, name: cfg.name });
      break;
    }
    case 'csv': {
      // allowEmpty: the bench says itself that a run needs data (the loader's hint names a library option)
      data = await loadDelimited(cfg.file as string, { delimiter: cfg.delimiter, header: cfg.header, columns: cfg.columns as never, allowEmpty: true });
      if (data.stats.numInteractions === 0) {
        throw new Error(`memrec-bench: --file must hold at least one interaction${cfg.header ? ' after its header line' : ''}, got none in ${JSON.stringify(cfg.file)}`);
      }
      Object.assign(source, { file: cfg.file, columns: cfg.columns, delimiter: cfg.delimiter, header: cfg.header });
      break;
    }
  }
  if (cfg.minRating !== undefined) {
    data = toImplicit(data, cfg.minRating) as LoadedDataset;
    source.minRating = cfg.minRating;
  }
  return { name: cfg.dataset, data, predefined, source };
}
