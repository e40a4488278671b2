import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { decodeState, encodeState } from '@memrec/core';
import { readFileBytes, writeFileAtomicAsync } from '@memrec/core/node';
import { IdSet } from './id-set';

/** What a checkpoint holds: the whole recommender as of log offset `offset`, and what replay needs. */
export interface Checkpoint {
  /** Every event before this log offset is applied in `recommender`. */
  offset: number;
  /** The log backend's position of `offset` (the Redis stream id of the last applied entry). */
  position?: string;
  /**
   * The 128-bit hashes of every event id logged before `offset` since the data folder was
   * created (`IdSet.toHashes()`, four words an id): duplicate detection after a restart.
   */
  idHashes: Uint32Array;
  /** `OnlineRecommender.toBytes()`. */
  recommender: Uint8Array;
  /**
   * Settings a replay must reuse: checkpoint interval, model name, and the most events applied in
   * one step (absent in checkpoints written before it existed: a whole record per step).
   */
  settings: { checkpointEvery: number; model: string; maxBatch?: number };
}

const KIND = 'memrec-server-checkpoint';
const NAME = /^ckpt-(\d{20})\.memrec$/;

/**
 * Encodes a checkpoint in memrec's checksummed state format.
 *
 * @example
 * ```ts
 * const bytes = encodeCheckpoint({ offset: 0, idHashes: new Uint32Array(0), recommender: rec.toBytes(), settings: { checkpointEvery: 10000, model: 'nmrn' } });
 * ```
 */
export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const header: Record<string, unknown> = { offset: c.offset, settings: c.settings };
  if (c.position !== undefined) header.position = c.position;
  return encodeState({ kind: KIND, header, blocks: { recommender: c.recommender, idHashes: c.idHashes } });
}

/**
 * Decodes {@link encodeCheckpoint}'s bytes; corrupt bytes are an error naming `fn` and what is
 * wrong. A checkpoint of an earlier version holds the last event ids as a JSON list (block
 * `ids`) instead of `idHashes`: their hashes are taken.
 */
export function decodeCheckpoint(bytes: Uint8Array, fn: string): Checkpoint {
  const s = decodeState(bytes, { fn, kind: KIND });
  const h = s.header as { offset: number; position?: string; settings: Checkpoint['settings'] };
  const { recommender, idHashes, ids } = s.blocks;
  if (!(recommender instanceof Uint8Array)) throw new Error(`${fn}: a checkpoint must hold a u8 block "recommender", got ${Object.keys(s.blocks).join(', ')}`);
  if (idHashes instanceof Uint32Array) return { offset: h.offset, position: h.position, settings: h.settings, recommender, idHashes };
  if (!(ids instanceof Uint8Array)) throw new Error(`${fn}: a checkpoint must hold a u32 block "idHashes" (or, written by an earlier version, a u8 block "ids"), got ${Object.keys(s.blocks).join(', ')}`);
  const legacy = new IdSet();
  for (const id of JSON.parse(new TextDecoder().decode(ids)) as string[]) legacy.add(id);
  return { offset: h.offset, position: h.position, settings: h.settings, recommender, idHashes: legacy.toHashes() };
}

/**
 * The checkpoint files of a data folder: `ckpt-<offset>.memrec`, written atomically (temp file,
 * fsync, rename), the newest `keep` kept. Loading falls back to the previous checkpoint when the
 * newest is corrupt, with a warning.
 *
 * @example
 * ```ts
 * const store = new CheckpointStore('data/checkpoints');
 * await store.save(checkpoint);
 * const latest = await store.loadLatest(); // null when there is none
 * ```
 */
export class CheckpointStore {
  constructor(readonly dir: string, readonly keep = 2, private readonly warn: (l: string) => void = (l) => console.warn(l)) {
    if (!Number.isInteger(keep) || keep < 1) throw new Error(`CheckpointStore: keep must be an integer >= 1, got ${keep}`);
  }

  /** The checkpoint files, newest (highest offset) first. */
  list(): { offset: number; path: string }[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    return names
      .map((n) => NAME.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ offset: Number(m[1]), path: join(this.dir, m[0]) }))
      .sort((a, b) => b.offset - a.offset);
  }

  /** Writes `c` atomically, removes checkpoints beyond the newest `keep`; returns the oldest kept offset. */
  async save(c: Checkpoint): Promise<number> {
    mkdirSync(this.dir, { recursive: true });
    await writeFileAtomicAsync(join(this.dir, `ckpt-${String(c.offset).padStart(20, '0')}.memrec`), [encodeCheckpoint(c)]);
    const all = this.list();
    for (const old of all.slice(this.keep)) unlinkSync(old.path);
    return all.slice(0, this.keep).at(-1)?.offset ?? c.offset;
  }

  /** The newest checkpoint that decodes, or null when there is none at all; all corrupt is an error. */
  loadLatest(): { checkpoint: Checkpoint; path: string } | null {
    const fn = 'CheckpointStore.loadLatest';
    const all = this.list();
    if (all.length === 0) return null;
    const problems: string[] = [];
    for (const { path } of all) {
      try {
        return { checkpoint: decodeCheckpoint(readFileBytes(path, fn), fn), path };
      } catch (e) {
        problems.push(`${path}: ${(e as Error).message}`);
        this.warn(`${fn}: checkpoint ${JSON.stringify(path)} is unreadable (${(e as Error).message}); trying the previous one`);
      }
    }
    throw new Error(`${fn}: ${JSON.stringify(this.dir)} must hold at least one readable checkpoint, got ${all.length} unreadable: ${problems.join('; ')}`);
  }
}
