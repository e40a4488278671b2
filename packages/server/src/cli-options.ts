import { parseArgs } from 'node:util';
import type { TrainSpec } from './training';

/** The parsed `memrec-serve` command line. */
export interface ServeConfig {
  dataDir: string;
  apiKey: string;
  port: number;
  host: string;
  train?: TrainSpec;
  checkpointFile?: string;
  model: string;
  modelOptions: Record<string, unknown>;
  epochs?: number;
  checkpointEvery: number;
  /** Most events the trainer applies in one step (fixed when the data folder is created); absent: the default (25). */
  maxBatch?: number;
  backend: 'auto' | 'node' | 'wasm' | 'cpu';
  redis?: { url: string; stream: string };
  replicaOf?: string;
  segmentBytes?: number;
}

export const USAGE = `usage: memrec-serve --data-dir DIR --api-key KEY [--port 8080] [--host 127.0.0.1]
  [--train synthetic|movielens-100k|csv] [--file F --columns user=COL,item=COL[,timestamp=COL][,rating=COL] [--header|--no-header] [--delimiter ,]]
  [--synthetic USERS,ITEMS,EVENTS] [--model nmrn|itempop] [--model-options JSON] [--epochs N] [--checkpoint FILE|DIR]
  [--checkpoint-every N] [--max-batch N] [--redis redis://HOST:PORT/STREAM] [--replica-of DIR] [--backend auto|node|wasm|cpu]
The key can also come from MEMREC_API_KEY. A --data-dir that holds state is recovered (--train is then ignored).`;

function fail(flag: string, rule: string, got: unknown): never {
  throw new Error(`memrec-serve: ${flag} ${rule}, got ${JSON.stringify(got)}\n${USAGE}`);
}

function int(flag: string, v: string | undefined, min: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) fail(flag, `must be an integer >= ${min}`, v);
  return n;
}

/**
 * Parses `memrec-serve` arguments (and `MEMREC_API_KEY`); every error names the flag, the rule
 * and the value.
 *
 * @example
 * ```ts
 * parseServeArgs(['--data-dir', 'data', '--api-key', 'k3y-k3y-k3y', '--train', 'synthetic'], {}).port; // 8080
 * ```
 */
export function parseServeArgs(argv: string[], env: Record<string, string | undefined>): ServeConfig {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    allowNegative: true,
    options: {
      'data-dir': { type: 'string' }, 'api-key': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
      train: { type: 'string' }, file: { type: 'string' }, columns: { type: 'string' }, header: { type: 'boolean' }, delimiter: { type: 'string' },
      synthetic: { type: 'string' }, model: { type: 'string' }, 'model-options': { type: 'string' }, epochs: { type: 'string' },
      checkpoint: { type: 'string' }, 'checkpoint-every': { type: 'string' }, redis: { type: 'string' }, 'replica-of': { type: 'string' },
      backend: { type: 'string' }, 'segment-bytes': { type: 'string' }, 'max-batch': { type: 'string' },
    },
  });
  const dataDir = v['data-dir'] ?? (v['replica-of'] !== undefined ? v['replica-of'] : undefined);
  if (!dataDir) fail('--data-dir', 'is required', undefined);
  const apiKey = v['api-key'] ?? env.MEMREC_API_KEY;
  if (!apiKey || apiKey.length < 8) fail('--api-key', 'must be at least 8 characters (or set MEMREC_API_KEY)', apiKey === undefined ? undefined : `${apiKey.length} characters`);
  let train: TrainSpec | undefined;
  if (v.train === 'synthetic') {
    const [numUsers, numItems, numEvents] = (v.synthetic ?? '2000,1000,100000').split(',').map(Number);
    if (![numUsers, numItems, numEvents].every((x) => Number.isInteger(x) && x > 0)) fail('--synthetic', 'must be USERS,ITEMS,EVENTS (positive integers)', v.synthetic);
    train = { source: 'synthetic', numUsers, numItems, numEvents };
  } else if (v.train === 'movielens-100k') {
    train = { source: 'movielens-100k' };
  } else if (v.train === 'csv') {
    if (!v.file) fail('--file', 'is required with --train csv', undefined);
    const columns: Record<string, string | number> = {};
    for (const part of (v.columns ?? '').split(',').filter(Boolean)) {
      const [k, c] = part.split('=');
      if (!['user', 'item', 'timestamp', 'rating'].includes(k) || !c) fail('--columns', 'must look like user=COL,item=COL[,timestamp=COL][,rating=COL]', v.columns);
      columns[k] = /^\d+$/.test(c) && v.header === false ? Number(c) : c;
    }
    if (columns.user === undefined || columns.item === undefined) fail('--columns', 'must name user=COL and item=COL', v.columns);
    train = { source: 'csv', file: v.file, columns: columns as { user: string; item: string }, header: v.header ?? true, delimiter: v.delimiter ?? ',' };
  } else if (v.train !== undefined) {
    fail('--train', 'must be synthetic, movielens-100k or csv', v.train);
  }
  let modelOptions: Record<string, unknown> = {};
  if (v['model-options'] !== undefined) {
    try {
      modelOptions = JSON.parse(v['model-options']) as Record<string, unknown>;
    } catch {
      fail('--model-options', 'must be a JSON object', v['model-options']);
    }
    if (modelOptions == null || typeof modelOptions !== 'object' || Array.isArray(modelOptions)) fail('--model-options', 'must be a JSON object', v['model-options']);
  }
  let redis: ServeConfig['redis'];
  if (v.redis !== undefined) {
    const m = /^(rediss?:\/\/[^/]+)\/(.+)$/.exec(v.redis);
    if (!m) fail('--redis', 'must look like redis://HOST:PORT/STREAM', v.redis);
    redis = { url: m[1], stream: m[2] };
  }
  const backend = (v.backend ?? 'auto') as ServeConfig['backend'];
  if (!['auto', 'node', 'wasm', 'cpu'].includes(backend)) fail('--backend', 'must be auto, node, wasm or cpu', v.backend);
  return {
    dataDir,
    apiKey,
    port: int('--port', v.port, 0, 8080),
    host: v.host ?? '127.0.0.1',
    train,
    checkpointFile: v.checkpoint,
    model: v.model ?? 'nmrn',
    modelOptions,
    epochs: v.epochs === undefined ? undefined : int('--epochs', v.epochs, 1, 1),
    checkpointEvery: int('--checkpoint-every', v['checkpoint-every'], 1, 100000),
    maxBatch: v['max-batch'] === undefined ? undefined : int('--max-batch', v['max-batch'], 1, 256),
    backend,
    redis,
    replicaOf: v['replica-of'],
    segmentBytes: v['segment-bytes'] === undefined ? undefined : int('--segment-bytes', v['segment-bytes'], 1, 64 << 20),
  };
}
