/**
 * @memrec/models/node: checkpoint files on disk (node:fs). A checkpoint is one file holding a
 * model's or an online recommender's `toBytes()`, written atomically (temp file, then rename),
 * so a crash mid-write leaves the previous checkpoint intact.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Recommender } from '@memrec/core';
import { readFileBytes, writeFileAtomic } from '@memrec/core/node';
import { OnlineRecommender } from './online';
import { recommenderFromBytes } from './registry';

/**
 * Writes `target.toBytes()` to `path` atomically (creating its folder when missing).
 *
 * @example
 * ```ts
 * import { saveCheckpoint } from '@memrec/models/node';
 * saveCheckpoint('runs/nmrn.memrec', rec); // an OnlineRecommender or any Recommender
 * ```
 */
export function saveCheckpoint(path: string, target: Recommender | OnlineRecommender): void {
  if (target == null || typeof (target as { toBytes?: unknown }).toBytes !== 'function') {
    throw new Error(`saveCheckpoint: target must be a Recommender or an OnlineRecommender, got ${typeof target}`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, target.toBytes());
}

/**
 * Reads a model checkpoint written by {@link saveCheckpoint} (of a Recommender).
 *
 * @example
 * ```ts
 * import { loadModelCheckpoint } from '@memrec/models/node';
 * const model = loadModelCheckpoint('runs/bprmf.memrec');
 * ```
 */
export function loadModelCheckpoint(path: string): Recommender {
  return recommenderFromBytes(readFileBytes(path, 'loadModelCheckpoint'));
}

/**
 * Reads an online-recommender checkpoint written by {@link saveCheckpoint}.
 *
 * @example
 * ```ts
 * import { loadOnlineCheckpoint } from '@memrec/models/node';
 * const rec = await loadOnlineCheckpoint('runs/nmrn.memrec');
 * rec.recommend('42', 10);
 * ```
 */
export async function loadOnlineCheckpoint(path: string): Promise<OnlineRecommender> {
  return OnlineRecommender.fromBytes(readFileBytes(path, 'loadOnlineCheckpoint'));
}
