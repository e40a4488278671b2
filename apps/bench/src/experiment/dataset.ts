import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdMap, type Interactions } from '@memrec/core';
import { computeStats, movieLensGenres, syntheticStream, toImplicit, type ItemAttributes, type LoadedDataset } from '@memrec/data';
import { loadDelimited, loadMovieLens, loadNcf } from '@memrec/data/node';
import type { RunConfig } from '../cli/options';

/** A dataset ready for the protocols, with what the protocol card needs to say about it. */
export interface BenchDataset {
  name: string;
  data: LoadedDataset;
  /** A predefined split (NCF files with fixed candidates; `--dataset files` without). */
  predefined?: { train: Interactions; test: Interactions; candidates?: Int32Array[]; testItemInCandidates?: number };
  /** How it was obtained (file, generator parameters, cleaning). */
  source: Record<string, unknown>;
  /** Item attributes over the dataset's dense item ids (MovieLens-100K: the 19 genres of `u.item` when it lies beside `u.data`). */
  attributes?: ItemAttributes;
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
  let attributes: ItemAttributes | undefined;
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
      if (variant === '100k') {
        // the genres of u.item as item attributes (KSR's keys), when the directory has the file
        const file = cfg.dataDir === undefined ? undefined : [join(cfg.dataDir, 'u.item'), join(cfg.dataDir, 'ml-100k', 'u.item')].find((f) => existsSync(f));
        if (file) {
          attributes = movieLensGenres(readFileSync(file, 'latin1'), data.items);
          source.itemAttributes = { file, attributes: 'genres', numAttributes: attributes.numAttributes };
        } else log('item attributes: no u.item in --data-dir, so ksr runs without attributes');
      }
      break;
    }
    case 'ncf': {
      const ncf = await loadNcf(cfg.dataDir as string, cfg.name as string);
      predefined = ncf;
      data = ncf;
      Object.assign(source, { dir: cfg.dataDir, name: cfg.name });
      break;
    }
    case 'files': {
      const split = await loadSplitFiles(cfg);
      data = split.data;
      predefined = { train: split.train, test: split.test };
      Object.assign(source, { trainFile: cfg.trainFile, testFile: cfg.testFile, columns: cfg.columns, delimiter: cfg.delimiter, header: cfg.header });
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
    if (cfg.dataset === 'files' && predefined) predefined = { train: toImplicit(predefined.train, cfg.minRating), test: toImplicit(predefined.test, cfg.minRating) };
    source.minRating = cfg.minRating;
  }
  return { name: cfg.dataset, data, predefined, source, ...(attributes ? { attributes } : {}) };
}

/**
 * `--dataset files`: a published split as two delimited files with the same columns (e.g.
 * IRGAN's `movielens-100k-train.txt` / `-test.txt`: `user \t item \t rating`). Raw ids are
 * mapped once over both files (the training file's ids first), so a test id unseen in training
 * gets its own dense id.
 *
 * @example
 * ```ts
 * const { train, test, data } = await loadSplitFiles(resolveConfig({ dataset: 'files', trainFile: 'a.txt', testFile: 'b.txt', columns: 'user=0,item=1,rating=2', header: false, delimiter: 'tab', protocol: 'predefined' }));
 * ```
 */
export async function loadSplitFiles(cfg: RunConfig): Promise<{ train: Interactions; test: Interactions; data: LoadedDataset }> {
  const read = async (file: string, what: string) => {
    const d = await loadDelimited(file, { delimiter: cfg.delimiter, header: cfg.header, columns: cfg.columns as never, allowEmpty: true });
    if (d.stats.numInteractions === 0) throw new Error(`memrec-bench: ${what} must hold at least one interaction${cfg.header ? ' after its header line' : ''}, got none in ${JSON.stringify(file)}`);
    return d;
  };
  const a = await read(cfg.trainFile as string, '--train-file');
  const b = await read(cfg.testFile as string, '--test-file');
  const users = IdMap.from(a.users.rawIds());
  const items = IdMap.from(a.items.rawIds());
  const testX: Interactions = {
    ...b.interactions,
    users: Int32Array.from(b.interactions.users, (u) => users.add(b.users.toRaw(u))),
    items: Int32Array.from(b.interactions.items, (i) => items.add(b.items.toRaw(i))),
  };
  const dims = { numUsers: users.size, numItems: items.size };
  const train: Interactions = { ...a.interactions, ...dims };
  const test: Interactions = { ...testX, ...dims };
  const cat = <T extends Int32Array | Float32Array | Float64Array>(p: T | undefined, q: T | undefined): T | undefined => {
    if (!p || !q) return undefined;
    const out = new (p.constructor as new (n: number) => T)(p.length + q.length);
    out.set(p);
    out.set(q, p.length);
    return out;
  };
  const all: Interactions = { users: cat(train.users, test.users) as Int32Array, items: cat(train.items, test.items) as Int32Array, ...dims };
  const ratings = cat(train.ratings, test.ratings);
  if (ratings) all.ratings = ratings;
  const timestamps = cat(train.timestamps, test.timestamps);
  if (timestamps) all.timestamps = timestamps;
  return { train, test, data: { interactions: all, users, items, stats: computeStats(all) } };
}
