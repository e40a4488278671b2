import type { Recommender } from '@memrec/core';
import { syntheticStream, type LoadedDataset } from '@memrec/data';
import { loadDelimited, loadMovieLens } from '@memrec/data/node';
import { ItemPop, Nmrn, type OnlineEvent } from '@memrec/models';

/** Where the first model's training data comes from (`--train`). */
export type TrainSpec =
  | { source: 'synthetic'; numUsers?: number; numItems?: number; numEvents?: number; seed?: number }
  | { source: 'movielens-100k'; dir?: string }
  | { source: 'csv'; file: string; columns: { user: string | number; item: string | number; timestamp?: string | number; rating?: string | number }; header?: boolean; delimiter?: string };

/** The models the server can serve, by `--model` name. */
export const SERVER_MODELS = ['nmrn', 'itempop'] as const;
export type ServerModel = (typeof SERVER_MODELS)[number];

/**
 * A fresh model by name. NMRN gets uniform rank-weight negatives unless `options` says
 * otherwise (the GAN sampler is slower per event).
 *
 * @example
 * ```ts
 * const model = makeModel('nmrn', { dim: 16 });
 * ```
 */
export function makeModel(name: string, options: Record<string, unknown> = {}): Recommender {
  if (name === 'nmrn') return new Nmrn({ sampler: 'uniform', ...options });
  if (name === 'itempop') return new ItemPop(options);
  throw new Error(`makeModel: name must be one of ${SERVER_MODELS.join(', ')}, got ${JSON.stringify(name)}`);
}

/**
 * Loads the training events of `spec` with raw ids as strings, in time order where the data
 * has timestamps.
 *
 * @example
 * ```ts
 * const events = await loadTrainingEvents({ source: 'synthetic', numUsers: 50, numItems: 40, numEvents: 2000 });
 * ```
 */
export async function loadTrainingEvents(spec: TrainSpec, log: (l: string) => void = () => undefined): Promise<OnlineEvent[]> {
  let data: LoadedDataset;
  if (spec.source === 'synthetic') {
    data = syntheticStream({ seed: spec.seed ?? 2018, numUsers: spec.numUsers ?? 2000, numItems: spec.numItems ?? 1000, numEvents: spec.numEvents ?? 100000 });
  } else if (spec.source === 'movielens-100k') {
    data = await loadMovieLens('100k', { dir: spec.dir, onProgress: (p: unknown) => log(`download: ${JSON.stringify(p)}`) });
  } else if (spec.source === 'csv') {
    data = await loadDelimited(spec.file, { columns: spec.columns, header: spec.header ?? true, delimiter: spec.delimiter ?? ',' });
  } else {
    throw new Error(`loadTrainingEvents: spec.source must be synthetic, movielens-100k or csv, got ${JSON.stringify((spec as { source: unknown }).source)}`);
  }
  const x = data.interactions;
  const out: OnlineEvent[] = new Array(x.users.length);
  for (let k = 0; k < x.users.length; k++) {
    const e: OnlineEvent = { user: String(data.users.toRaw(x.users[k])), item: String(data.items.toRaw(x.items[k])) };
    if (x.timestamps) e.timestamp = x.timestamps[k];
    if (x.ratings) e.rating = x.ratings[k];
    out[k] = e;
  }
  return out;
}
