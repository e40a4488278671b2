import { loadDelimited } from './io/delimited-file';
import { loadFile } from './io/formats';
import { loadJsonLines } from './io/json-lines';
import { loadMovieLens } from './io/movielens';
import { loadRecBoleInter } from './io/recbole';
import { leaveLastOut } from './split/leave-last-out';
import { randomSplit } from './split/random';
import { stratifiedSplit } from './split/stratified';
import { streamSplit } from './split/stream';
import { temporalSplit } from './split/temporal';
import { syntheticStream } from './synthetic';

// A misspelt option must be an error, never silently ignored (the file arguments are never read:
// the options are checked first).
const data = syntheticStream({ seed: 1, numUsers: 20, numItems: 10, numEvents: 200 });

describe('unknown option keys', () => {
  it.each([
    ['leaveLastOut', () => leaveLastOut(data, { alowColdStart: true } as never), 'leaveLastOut: unknown option "alowColdStart"; known options are validation, allowColdStart'],
    ['stratifiedSplit', () => stratifiedSplit(data, { ratio: 0.7, sed: 1 } as never), 'stratifiedSplit: unknown option "sed"; known options are ratio, seed, allowColdStart'],
    ['randomSplit', () => randomSplit(data, { ratios: 0.7 } as never), 'randomSplit: unknown option "ratios"'],
    ['temporalSplit', () => temporalSplit(data, { trainRatio: 0.7 } as never), 'temporalSplit: unknown option "trainRatio"; known options are ratio, allowColdStart'],
    ['streamSplit', () => streamSplit(data, { ratio: 0.6 } as never), 'streamSplit: unknown option "ratio"; known options are trainRatio, blocks, allowColdStart'],
    ['syntheticStream', () => syntheticStream({ seed: 1, users: 10 } as never), 'syntheticStream: unknown option "users"'],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  it.each([
    ['loadJsonLines', () => loadJsonLines('/nonexistent.jsonl', { columns: { user: 'u', item: 'i' }, skipBadLine: true } as never), 'loadJsonLines: unknown option "skipBadLine"'],
    ['loadMovieLens', () => loadMovieLens('100k', { directory: '/nowhere' } as never), 'loadMovieLens: unknown option "directory"'],
    ['loadRecBoleInter', () => loadRecBoleInter('/nonexistent.inter', { field: {} } as never), 'loadRecBoleInter: unknown option "field"'],
    ['loadDelimited', () => loadDelimited('/nonexistent.csv', { columns: { user: 0, item: 1 }, headers: true } as never), 'loadDelimited: unknown option "headers"'],
    ['loadFile', () => loadFile('/nonexistent.dat', 'movielens-dat', { skipBadLine: true } as never), 'loadFile: unknown option "skipBadLine"'],
  ])('%s', async (_name, call, message) => {
    await expect(call()).rejects.toThrow(message);
  });
});
