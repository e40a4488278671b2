import { UserItemSet, type Interactions } from '@memrec/core';
import { leaveLastOut, stratifiedSplit, temporalSplit } from '@memrec/data';
import { evaluateFull } from '@memrec/eval';
import { recommenderFromBytes, type BaseRecommender, type TrainingOptions } from '@memrec/models';
import type { RunConfig } from '../cli/options';
import type { Progress } from '../cli/progress';
import type { RunResult } from '../report/types';
import { earlyStoppingFor } from './variants';

/** The training part of a run's result. */
export type TrainOutcome = Pick<RunResult, 'loss' | 'trainSeconds' | 'trainEventsPerSecond' | 'curve' | 'bestEpoch'> & {
  /** The trained model (with early stopping: a restored copy at its best epoch). */
  model: BaseRecommender<TrainingOptions>;
};

/**
 * A validation split carved from the training data by the run's own protocol: leave-last-out
 * holds out each user's last training event; stream and temporal the last 10 % of the training
 * events in time; stratified and predefined 10 % of each user's training items (seeded).
 *
 * @example
 * ```ts
 * const { inner, valid } = validationSplit('leave-last-out', pd.train, 1);
 * ```
 */
export function validationSplit(protocol: string, train: Interactions, seed: number): { inner: Interactions; valid: Interactions } {
  const s =
    protocol === 'leave-last-out'
      ? leaveLastOut(train)
      : protocol === 'stream' || protocol === 'temporal'
        ? temporalSplit(train, { ratio: 0.9 })
        : stratifiedSplit(train, { ratio: 0.9, seed: seed + 7919 });
  return { inner: s.train, valid: s.test };
}

/**
 * Trains `model` on `train`. With early stopping ({@link earlyStoppingFor} of `variant`: the
 * run's `--early-stopping`, else the variant's default; without `variant`, only the run's) the
 * model trains on the inner part of {@link validationSplit}, is scored on the validation part
 * after each epoch (full ranking, inner training items excluded), stops after `patience`
 * epochs without improvement, and the best epoch's model is kept (restored from its bytes); it
 * then observes the validation events, so its history (and a static model's seen items) is the
 * whole training set, but it is not retrained on them. The curve holds the mean training loss
 * and the validation metric of each epoch.
 *
 * @example
 * ```ts
 * const { model, curve, bestEpoch } = await trainModel(createModel('bprmf', cfg), 'stratified', pd.train, cfg, 1, 'label', progress, 'bprmf');
 * ```
 */
export async function trainModel(model: BaseRecommender<TrainingOptions>, protocol: string, train: Interactions, cfg: RunConfig, seed: number, label: string, progress: Progress, variant = ''): Promise<TrainOutcome> {
  const loss: RunResult['loss'] = [];
  const curve: NonNullable<RunResult['curve']> = [];
  const epochs = model.config.epochs;
  const es = earlyStoppingFor(variant, cfg);
  const split = es ? validationSplit(protocol, train, seed) : null;
  const fitOn = split ? split.inner : train;
  const innerSeen = split ? UserItemSet.fromInteractions(split.inner) : null;
  let best = -Infinity;
  let bestEpoch = -1;
  let bestBytes: Uint8Array | null = null;
  let lastEpoch = -1;
  let worse = 0;
  progress.start(`${label}: train`, epochs * fitOn.users.length);
  const t0 = performance.now();
  try {
    await fitWithHooks();
  } catch (e) {
    model.dispose();
    throw e;
  }
  async function fitWithHooks(): Promise<void> {
  await model.fit(fitOn, {
    seed,
    // the model's own total: some models add passes to their epochs (NMRN's generator pre-training)
    onProgress: (p) => progress.update(p.done, `${p.phase}${p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : ''}`, p.total),
    onLoss: (x, l) => {
      if (loss.length === 0 || x - loss[loss.length - 1].x >= fitOn.users.length / 20) loss.push({ x, loss: l });
    },
    onEpochEnd: async ({ epoch, loss: epochLoss }) => {
      lastEpoch = epoch;
      if (!es || !split || !innerSeen) {
        curve.push({ epoch, loss: epochLoss });
        return false;
      }
      const k = Number(/@(\d+)$/.exec(es.metric)?.[1] ?? 10);
      const r = await evaluateFull(model, split.valid, { seen: innerSeen, k: [k], name: label });
      const v = r.metrics[es.metric];
      curve.push({ epoch, loss: epochLoss, valid: v });
      if (v > best) {
        best = v;
        bestEpoch = epoch;
        bestBytes = model.toBytes();
        worse = 0;
        return false;
      }
      worse++;
      return worse >= es.patience;
    },
  });
  }
  let out = model;
  if (bestBytes && bestEpoch !== lastEpoch) {
    out = recommenderFromBytes(bestBytes) as BaseRecommender<TrainingOptions>;
    model.dispose();
  }
  if (split && split.valid.users.length > 0) await out.observe(split.valid);
  const trainSeconds = (performance.now() - t0) / 1000;
  progress.stop();
  const events = (lastEpoch + 1) * fitOn.users.length || fitOn.users.length;
  return { model: out, loss, curve, bestEpoch: es ? bestEpoch : undefined, trainSeconds, trainEventsPerSecond: events / trainSeconds };
}
