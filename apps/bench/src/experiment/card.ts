import { createRequire } from 'node:module';
import { version_core } from '@tensorflow/tfjs-core';
import { TIE_BREAK } from '@memrec/eval';
import type { RunConfig } from '../cli/options';
import type { BenchDataset } from './dataset';

/**
 * Versions of the memrec packages and TensorFlow.js in use (read from their package.json).
 *
 * @example
 * ```ts
 * packageVersions()['@memrec/core']; // '0.1.0'
 * ```
 */
export function packageVersions(): Record<string, string> {
  const req = createRequire(import.meta.url);
  const out: Record<string, string> = { '@tensorflow/tfjs-core': version_core };
  for (const p of ['core', 'data', 'samplers', 'losses', 'memory', 'eval']) {
    try {
      out[`@memrec/${p}`] = (req(`@memrec/${p}/package.json`) as { version: string }).version;
    } catch {
      out[`@memrec/${p}`] = 'unknown';
    }
  }
  return out;
}

/**
 * The protocol card of a run: dataset and statistics, splits and parameters, candidates,
 * seen-item filtering, k, seeds, backend and versions, as JSON and markdown.
 *
 * @example
 * ```ts
 * const { json, markdown } = buildCard(cfg, ds, { stream: report }, 'wasm');
 * ```
 */
export function buildCard(cfg: RunConfig, ds: BenchDataset, splits: Record<string, unknown>, backend: string): { json: Record<string, unknown>; markdown: string } {
  const evaluations: Record<string, string> = {};
  if (cfg.protocols.includes('stream')) {
    evaluations.stream = 'prequential: each block\'s events are ranked (true item vs every item the user had not interacted with before the event, full catalogue) before the model observes the block; events of users or items new to the stream are included';
  }
  if (cfg.protocols.some((p) => p !== 'stream')) {
    for (const e of cfg.evals) {
      evaluations[e] = e === 'full'
        ? 'every item the user did not interact with in training; relevant = the user\'s test items'
        : `the held-out item among ${e.slice(8)} items drawn uniformly (seeded by the run seed) from items the user never interacted with (train or test)`;
    }
  }
  const json = {
    dataset: { name: ds.name, source: ds.source, stats: ds.data.stats },
    protocols: cfg.protocols,
    splits,
    evaluations,
    seenFiltering: 'training items of each user are excluded from the ranking',
    tieBreak: TIE_BREAK,
    k: cfg.k,
    seeds: cfg.seeds,
    models: cfg.models,
    backend,
    versions: packageVersions(),
  };
  const st = ds.data.stats;
  const lines = [
    '## Protocol card',
    '',
    `- **Dataset**: ${ds.name} (${JSON.stringify(ds.source)})`,
    `- **Statistics**: ${st.numUsers} users, ${st.numItems} items, ${st.numInteractions} interactions, density ${(st.density * 100).toFixed(3)} %`,
    ...Object.entries(splits).map(([p, r]) => {
      const rep = r as { params?: unknown; sizes?: unknown; findings?: string[] };
      return `- **Split ${p}**: params ${JSON.stringify(rep.params ?? {})}, sizes ${JSON.stringify(rep.sizes ?? {})}${rep.findings?.length ? `; ${rep.findings.join('; ')}` : ''}`;
    }),
    ...Object.entries(evaluations).map(([e, d]) => `- **Evaluation ${e}**: ${d}`),
    `- **Seen-item filtering**: ${json.seenFiltering}; ties: ${TIE_BREAK}`,
    `- **k**: ${cfg.k.join(', ')}; **seeds**: ${cfg.seeds.join(', ')}`,
    `- **Backend**: ${backend}; **versions**: ${Object.entries(json.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  return { json, markdown: lines.join('\n') };
}
