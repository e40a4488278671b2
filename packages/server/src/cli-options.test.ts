import { parseServeArgs } from './cli-options';

const base = ['--data-dir', 'data', '--api-key', 'k3y-k3y-k3y'];

describe('parseServeArgs', () => {
  it('reads every flag, with defaults for the rest', () => {
    expect(parseServeArgs([...base, '--train', 'synthetic'], {})).toMatchObject({ dataDir: 'data', apiKey: 'k3y-k3y-k3y', port: 8080, host: '127.0.0.1', model: 'nmrn', checkpointEvery: 100000, backend: 'auto', train: { source: 'synthetic', numUsers: 2000, numItems: 1000, numEvents: 100000 } });
    const c = parseServeArgs(['--data-dir', 'd', '--train', 'csv', '--file', 'e.csv', '--columns', 'user=u,item=i,timestamp=t', '--port', '0', '--redis', 'redis://h:6380/memrec:events', '--model-options', '{"dim":8}', '--checkpoint-every', '500', '--max-batch', '32'], { MEMREC_API_KEY: 'from-the-env' });
    expect(c).toMatchObject({ apiKey: 'from-the-env', port: 0, checkpointEvery: 500, maxBatch: 32, modelOptions: { dim: 8 }, redis: { url: 'redis://h:6380', stream: 'memrec:events' }, train: { source: 'csv', file: 'e.csv', columns: { user: 'u', item: 'i', timestamp: 't' }, header: true } });
    expect(parseServeArgs(['--replica-of', '/shared/primary', '--api-key', 'k3y-k3y-k3y'], {})).toMatchObject({ dataDir: '/shared/primary', replicaOf: '/shared/primary' });
  });

  it.each([
    [['--api-key', 'k3y-k3y-k3y'], 'memrec-serve: --data-dir is required, got undefined'],
    [['--data-dir', 'd'], 'memrec-serve: --api-key must be at least 8 characters (or set MEMREC_API_KEY), got undefined'],
    [['--data-dir', 'd', '--api-key', 'short'], 'memrec-serve: --api-key must be at least 8 characters (or set MEMREC_API_KEY), got "5 characters"'],
    [[...base, '--port', '80.5'], 'memrec-serve: --port must be an integer >= 0, got "80.5"'],
    [[...base, '--train', 'imdb'], 'memrec-serve: --train must be synthetic, movielens-100k or csv, got "imdb"'],
    [[...base, '--train', 'csv'], 'memrec-serve: --file is required with --train csv, got undefined'],
    [[...base, '--train', 'csv', '--file', 'f', '--columns', 'user=u'], 'memrec-serve: --columns must name user=COL and item=COL, got "user=u"'],
    [[...base, '--train', 'synthetic', '--synthetic', '10,x,5'], 'memrec-serve: --synthetic must be USERS,ITEMS,EVENTS (positive integers), got "10,x,5"'],
    [[...base, '--model-options', '[1]'], 'memrec-serve: --model-options must be a JSON object, got "[1]"'],
    [[...base, '--redis', 'localhost:6379'], 'memrec-serve: --redis must look like redis://HOST:PORT/STREAM, got "localhost:6379"'],
    [[...base, '--backend', 'gpu'], 'memrec-serve: --backend must be auto, node, wasm or cpu, got "gpu"'],
    [[...base, '--checkpoint-every', '0'], 'memrec-serve: --checkpoint-every must be an integer >= 1, got "0"'],
    [[...base, '--max-batch', '0'], 'memrec-serve: --max-batch must be an integer >= 1, got "0"'],
  ])('%j is an error naming the flag, the rule and the value', (argv, message) => {
    expect(() => parseServeArgs(argv, {})).toThrow(message);
  });
});
