import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A segment file of the file log: its path and the log offset of its first event. */
export interface Segment {
  base: number;
  path: string;
}

const NAME = /^(\d{20})\.log$/;

/** The file name of the segment starting at log offset `base`: 20 digits, zero-padded. */
export function segmentName(base: number): string {
  return `${String(base).padStart(20, '0')}.log`;
}

/** The segments in `dir`, oldest first (an absent folder has none). */
export function listSegments(dir: string): Segment[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .map((n) => NAME.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ base: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.base - b.base);
}
