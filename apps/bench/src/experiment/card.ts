import { createRequire } from 'node:module';
import { version_core } from '@tensorflow/tfjs-core';
import { protocolCard, renderProtocolCard, type EvaluationSetup } from '@memrec/eval';
import type { RunConfig } from '../cli/options';
import type { BenchDataset } from './dataset';
import { createModel, earlyStoppingFor, formatEarlyStopping, modelVariants } from './variants';

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
  for (const p of ['core', 'data', 'samplers', 'losses', 'memory', 'eval', 'models']) {
    try {
      out[`@memrec/${p}`] = (req(`@memrec/${p}/package.json`) as { version: string }).version;
    } catch {
      out[`@memrec/${p}`] = 'unknown';
    }
  }
  return out;
}

/** What the protocol card says about the dataset: its name, where it came from, its statistics. */
export type CardDataset = Pick<BenchDataset, 'name' | 'source'> & { data: Pick<BenchDataset['data'], 'stats'> };

/**
 * The protocol card of a run: one `@memrec/eval` protocol card per evaluation (dataset, split and
 * its parameters, the evaluator's own description of candidates, seen-item filtering and ties, k,
 * seeds, backend, versions), plus each split's leakage findings; as JSON and markdown.
 *
 * @example
 * ```ts
 * const { json, markdown } = buildCard(cfg, ds, { stream: report }, 'wasm', { stream: { protocol: 'stream', setup } });
 * ```
 */
export function buildCard(
  cfg: RunConfig,
  ds: CardDataset,
  splits: Record<string, unknown>,
  backend: string,
  evaluations: Record<string, { protocol: string; setup: EvaluationSetup }>,
): { json: Record<string, unknown>; markdown: string } {
  const st = ds.data.stats;
  const versions = packageVersions();
  const cards = Object.entries(evaluations).map(([name, { protocol, setup }]) => {
    const params = (splits[protocol] as { params?: Record<string, string | number | boolean> } | undefined)?.params;
    const card = protocolCard({
      dataset: { name: ds.name, numUsers: st.numUsers, numItems: st.numItems, numInteractions: st.numInteractions, source: JSON.stringify(ds.source) },
      split: { name: protocol, params },
      evaluation: setup,
      seeds: cfg.seeds,
      backend,
      versions,
      model: cfg.models.join(', '),
    });
    return [name, card] as const;
  });
  const findings = Object.entries(splits).flatMap(([p, r]) => ((r as { findings?: string[] }).findings ?? []).map((f) => `- split ${p}: ${f}`));
  if (cfg.protocols.includes('leave-last-out')) {
    findings.push(
      '- split leave-last-out: not time-safe across users: training holds other users\' events that happened after a user\'s held-out event, and every model whose state is shared across users (item embeddings, NMRN\'s shared memory, CMN\'s neighbourhoods, ItemPop\'s counts) has learned from them. `--protocol temporal` is the time-safe choice.',
    );
  }
  if (cfg.protocols.includes('stream')) {
    findings.push(
      cfg.coldStart === 'skip'
        ? '- split stream: events whose user or item is new to their block update the model but are not scored (`--cold-start skip`); the stream evaluation lists the scored and skipped events per block.'
        : '- split stream: every block event is scored, including events whose user or item is new to their block (`--cold-start include`).',
    );
  }
  // every model's full configuration (its resolved options: defaults, run flags, --set)
  const modelConfigs: Record<string, Record<string, unknown>> = {};
  for (const v of modelVariants(cfg)) {
    const m = createModel(v, cfg);
    modelConfigs[v] = { ...(m.config as unknown as Record<string, unknown>) };
    m.dispose();
  }
  // each model's effective early stopping: the run's --early-stopping, else the model's default
  const earlyStopping = Object.fromEntries(Object.keys(modelConfigs).map((v) => [v, formatEarlyStopping(earlyStoppingFor(v, cfg))]));
  const fmt = (x: unknown) => (Array.isArray(x) ? `[${x.join(', ')}]` : String(x));
  const markdown = [
    '## Protocol card',
    '',
    cfg.preset !== undefined ? `**Models** (every option; preset \`${cfg.preset}\` under the flags)` : '**Models** (every option)',
    '',
    ...Object.entries(modelConfigs).map(([v, c]) => `- ${v}: ${Object.entries(c).map(([k, x]) => `${k}=${fmt(x)}`).join(', ')}`),
    '',
    '**Early stopping** (validation metric:patience on a split of the training data, or none; `--early-stopping` sets it for every model)',
    '',
    ...Object.entries(earlyStopping).map(([v, e]) => `- ${v}: ${e}`),
    '',
    ...cards.flatMap(([name, card]) => [`**Evaluation ${name}**`, '', renderProtocolCard(card, 'markdown')]),
    ...(findings.length ? ['**Split checks**', '', ...findings, ''] : []),
  ].join('\n');
  const json = { dataset: { name: ds.name, source: ds.source, stats: st }, protocols: cfg.protocols, splits, evaluations: Object.fromEntries(cards), models: cfg.models, modelConfigs, earlyStopping, ...(cfg.preset !== undefined ? { preset: cfg.preset } : {}), coldStart: cfg.coldStart, notes: findings.map((f) => f.slice(2)), k: cfg.k, seeds: cfg.seeds, backend, versions };
  return { json, markdown };
}
