import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { show } from '@memrec/core/internal';

/** Format tag and version of a checkpoint directory. */
export const CHECKPOINT_FORMAT = 'memrec-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** What a model hands to {@link writeCheckpoint}: its name, JSON config/state and binary blobs. */
export interface CheckpointContent {
  model: string;
  config: Record<string, unknown>;
  blobs: Record<string, Uint8Array>;
}

interface Manifest {
  format: string;
  version: number;
  model: string;
  config: Record<string, unknown>;
  files: Record<string, { bytes: number; sha256: string }>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Writes a checkpoint directory atomically: everything goes to a sibling temp directory,
 * which then replaces `dir` by rename; an existing checkpoint is kept until the new one is
 * complete. `manifest.json` records the format version and a SHA-256 per file.
 *
 * @example
 * ```ts
 * await writeCheckpoint('runs/ckpt', { model: 'bprmf', config: { dim: 64 }, blobs: { users: bytes } });
 * ```
 */
export async function writeCheckpoint(dir: string, content: CheckpointContent): Promise<void> {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    const files: Manifest['files'] = {};
    for (const [name, bytes] of Object.entries(content.blobs)) {
      if (!/^[a-z0-9_.-]+$/i.test(name)) throw new Error(`writeCheckpoint: blob names must be plain file names, got ${show(name)}`);
      writeFileSync(join(tmp, `${name}.bin`), bytes);
      files[name] = { bytes: bytes.length, sha256: sha256(bytes) };
    }
    const manifest: Manifest = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, model: content.model, config: content.config, files };
    writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const old = `${tmp}.old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Reads and verifies a checkpoint directory: format, version, every file's size and SHA-256.
 * A missing, mismatched or corrupt checkpoint is a clear error naming the file.
 *
 * @example
 * ```ts
 * const { model, config, blobs } = readCheckpoint('runs/ckpt');
 * ```
 */
export function readCheckpoint(dir: string, expectModel?: string): CheckpointContent {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) throw new Error(`readCheckpoint: dir must contain manifest.json, got none in ${dir}`);
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`readCheckpoint: ${file} must be JSON, got a parse error: ${(e as Error).message}`);
  }
  if (m.format !== CHECKPOINT_FORMAT) throw new Error(`readCheckpoint: format must be "${CHECKPOINT_FORMAT}", got ${show(m.format)} in ${file}`);
  if (m.version !== CHECKPOINT_VERSION) throw new Error(`readCheckpoint: version must be ${CHECKPOINT_VERSION}, got ${show(m.version)} in ${file}`);
  if (expectModel !== undefined && m.model !== expectModel) {
    throw new Error(`readCheckpoint: model must be "${expectModel}", got ${show(m.model)} in ${file}`);
  }
  const blobs: Record<string, Uint8Array> = {};
  for (const [name, meta] of Object.entries(m.files ?? {})) {
    const path = join(dir, `${name}.bin`);
    if (!existsSync(path)) throw new Error(`readCheckpoint: ${path} must exist (listed in the manifest), got nothing`);
    const bytes = new Uint8Array(readFileSync(path));
    if (bytes.length !== meta.bytes || sha256(bytes) !== meta.sha256) {
      throw new Error(`readCheckpoint: ${path} must match its SHA-256 in the manifest, got different content (corrupt checkpoint)`);
    }
    blobs[name] = bytes;
  }
  return { model: m.model, config: m.config, blobs };
}

/** JSON value as UTF-8 bytes (for id maps and small state in a checkpoint). */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** Inverse of {@link jsonBytes}. */
export function fromJsonBytes<T>(bytes: Uint8Array | undefined, what: string): T {
  if (!bytes) throw new Error(`readCheckpoint: ${what} must be present, got nothing`);
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}
