import type { RawId } from '@memrec/core';
import type { ModelMetrics, ModelName, ShownItem } from './session';

/** A dataset sent between workers: dense-id columns and the raw ids (IdMap JSON). */
export interface DatasetMessage {
  users: Int32Array;
  items: Int32Array;
  timestamps?: Float64Array;
  rawUsers: unknown;
  rawItems: unknown;
  numUsers: number;
  numItems: number;
}

/** Where the training worker takes its events from. */
export type StreamSource = { kind: 'synthetic'; users: number; items: number; events: number } | { kind: 'dataset'; data: DatasetMessage };

/** Messages from the page to the training worker. */
export type ToTrainer =
  | { type: 'init'; source: StreamSource; trainRatio: number; seed: number; backend: 'auto' | 'wasm' | 'cpu' | 'webgl' | 'webgpu'; bprEpochs: number; speed: number; playing: boolean }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step'; n: number }
  | { type: 'speed'; eventsPerSecond: number }
  | { type: 'watch'; user: number; model: ModelName }
  | { type: 'export'; model: ModelName }
  | { type: 'import'; bytes: Uint8Array };

/** A user the page offers to follow. */
export interface WatchableUser {
  id: number;
  raw: RawId;
  events: number;
}

/** The state the training worker reports after each slice of events. */
export interface TrainerState {
  type: 'state';
  processed: number;
  total: number;
  playing: boolean;
  metrics: Record<ModelName, ModelMetrics>;
  user: number;
  rawUser: RawId;
  model: ModelName;
  top: ShownItem[];
  imported: ShownItem[] | null;
  importedName: string | null;
  attention: number[];
  userEvents: number;
  lastEvent: { user: RawId; item: RawId } | null;
  eventsPerSecond: number;
}

/** Messages from the training worker to the page. */
export type FromTrainer =
  | { type: 'backend'; backend: string; line: string }
  | { type: 'progress'; model: ModelName; phase: string; done: number; total: number }
  | { type: 'ready'; users: WatchableUser[]; total: number; trainSize: number; numItems: number; numUsers: number }
  | TrainerState
  | { type: 'exported'; model: ModelName; bytes: Uint8Array }
  | { type: 'imported'; name: string }
  | { type: 'error'; message: string };

/** Messages from the page to the parsing worker. */
export interface ToParser {
  file: File;
  itemsFile?: File;
  delimiter: string;
  header: boolean;
  columns: { user: string | number; item: string | number; timestamp?: string | number };
}

/** Item titles and genres (MovieLens `u.item`), by raw item id. */
export type ItemInfo = Record<string, { title: string; genres: string[] }>;

/** Messages from the parsing worker to the page. */
export type FromParser =
  | { type: 'progress'; bytes: number; total: number }
  | { type: 'done'; data: DatasetMessage; info: ItemInfo | null; events: number }
  | { type: 'error'; message: string };
