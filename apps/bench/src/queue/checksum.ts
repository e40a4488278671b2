import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { MOVIELENS, syntheticStream, type MovieLensVariant } from '@memrec/data';
import type { RunConfig } from '../cli/options';
import { SYNTHETIC_DEFAULTS } from '../experiment/dataset';

async function hashFiles(files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file.slice(file.lastIndexOf('/') + 1)}\0`);
    await new Promise<void>((resolve, reject) => {
      createReadStream(file)
        .on('data', (chunk) => hash.update(chunk))
        .on('error', reject)
        .on('end', resolve);
    });
  }
  return `sha256:${hash.digest('hex')}`;
}

function mustExist(files: string[], cfg: RunConfig): string[] {
  for (const f of files) {
    if (!existsSync(f)) {
      throw new Error(`datasetChecksum: --dataset ${cfg.dataset} must be readable on this machine to take its checksum, got no file ${JSON.stringify(f)}`);
    }
  }
  return files;
}

/**
 * The checksum of the data a configuration names, taken from its source without parsing or
 * splitting it: SHA-256 of the files (`--file`, the NCF files, a MovieLens ratings file under
 * `--data-dir`), of the generated arrays for the synthetic stream, and the publisher's MD5 for a
 * MovieLens release from the download cache (the loader checks every download against it). A
 * queued cell carries the coordinator's checksum; a worker computes its own and refuses a cell
 * whose checksum differs.
 *
 * @example
 * ```ts
 * await datasetChecksum(resolveConfig({ dataset: 'csv', file: 'events.csv', columns: 'user=u,item=i', header: true })); // 'sha256:9f1c...'
 * ```
 */
export async function datasetChecksum(cfg: RunConfig): Promise<string> {
  switch (cfg.dataset) {
    case 'synthetic': {
      const { interactions: x } = syntheticStream({ seed: 2018, ...(cfg.synthetic ?? SYNTHETIC_DEFAULTS) });
      const hash = createHash('sha256').update(`${x.numUsers},${x.numItems}\0`);
      for (const a of [x.users, x.items, x.timestamps, x.ratings]) if (a) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      return `sha256:${hash.digest('hex')}`;
    }
    case 'csv':
      return hashFiles(mustExist([cfg.file as string], cfg));
    case 'ncf': {
      const base = join(cfg.dataDir as string, cfg.name as string);
      return hashFiles(mustExist([`${base}.train.rating`, `${base}.test.rating`, `${base}.test.negative`], cfg));
    }
    default: {
      const src = MOVIELENS[cfg.dataset.replace('movielens-', '') as MovieLensVariant];
      if (cfg.dataDir === undefined) return src.md5 ? `md5:${src.md5}` : `release:${src.url}`;
      const found = [join(cfg.dataDir, src.file), join(cfg.dataDir, src.folder, src.file)].find((f) => existsSync(f));
      return hashFiles(mustExist([found ?? join(cfg.dataDir, src.file)], cfg));
    }
  }
}
