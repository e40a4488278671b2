/**
 * `pnpm bench:perf models`: the models package as an application uses it, in one process.
 *  - `nmrn_ingest_events_per_second`: an `OnlineRecommender` over NMRN (per-user memory,
 *    uniform rank-weight negatives, the library's other defaults), trained on the first 60 % of
 *    the synthetic stream (2,000 users x 1,000 items x 100,000 events, seed 1; one epoch), then
 *    ingesting the rest one micro-batch of 64 raw-id events at a time. The rate is the median of
 *    8 windows (slowest and fastest printed).
 *  - `recommend_p50_ms_<model>` / `recommend_p99_ms_<model>`: `recommend(user, 10)` for one
 *    user over a 10,000-item catalogue (synthetic, 2,000 users x 10,000 items x 60,000 events,
 *    one epoch; NMRN dim 32 per-user memory; CMN dim 16 and dim 50; MARS and DMN with the
 *    library's defaults), 300 calls over users spread across the id range, after one warm-up call.
 *  - `cmn_model_train_pairs_per_second`: `Cmn.fit` at dim 50, 2 hops, 16 neighbours, 4 negatives,
 *    batch 256, no pre-training, one epoch on the first 60 % of the 2,000 x 1,000 stream; pairs =
 *    positives x (1 + negatives) per second, as in `pnpm bench:perf memory`.
 *  - `irgan_train_events_per_second`: `Irgan.fit` with its defaults (dim 5, DNS pre-training of
 *    G, D passes by BCE on G's samples, G passes by policy gradient over the whole catalogue) but
 *    5 pre-training passes and one outer epoch, on the first 60 % of the 2,000 x 1,000 stream;
 *    events = distinct training positives x passes (pre-training + D + G) per second.
 *  - `<model>_train_events_per_second` / `<model>_update_events_per_second` (gru4rec, rum_item,
 *    rum_feature with 20 slots, stamp, ksr without attributes, mars, dmn): `fit` with the library's defaults but one epoch on the first 60 % of the 2,000 x 1,000 stream
 *    (training events per second), then `observe` of the rest in blocks of 64 events (median of
 *    8 windows; streamed events per second).
 * `--quick` shrinks every size by 10 (the figures are still real measurements). `--only` runs the
 * parts named: model names (nmrn, cmn, cmn_d50, mars, dmn in the latency part; gru4rec, rum_item,
 * rum_feature, stamp, mars, dmn, ksr in the training part), `nmrn_ingest`, `cmn_train`, `irgan`;
 * e.g. `--only mars,dmn`.
 */
import { UserItemSet, type Interactions } from '@memrec/core';
import { syntheticStream } from '@memrec/data';
import { Cmn, Dmn, Gru4Rec, Mars, Irgan, Ksr, Nmrn, Rum, Stamp, OnlineRecommender, recommendLatency, type OnlineEvent } from '@memrec/models';
import { timeWindows } from './types';
import type { PerfContext, PerfResult } from './types';

function events(x: Interactions, from: number, to: number): OnlineEvent[] {
  const out: OnlineEvent[] = [];
  for (let k = from; k < to; k++) out.push({ user: x.users[k], item: x.items[k], timestamp: (x.timestamps as Float64Array)[k] });
  return out;
}

const prefix = (x: Interactions, n: number): Interactions => ({ ...x, users: x.users.subarray(0, n), items: x.items.subarray(0, n), timestamps: x.timestamps?.subarray(0, n) });

export async function run(ctx: PerfContext): Promise<PerfResult> {
  const scale = ctx.quick ? 10 : 1;
  const rows: PerfResult['rows'] = [];
  const figures: Record<string, number> = {};
  const on = (part: string) => ctx.only === undefined || ctx.only.includes(part);

  // 1. NMRN ingest, micro-batches of 64
  const s = syntheticStream({ seed: 1, numUsers: 2000 / scale, numItems: 1000 / scale, numEvents: 100_000 / scale }).interactions;
  const start = Math.floor(s.users.length * 0.6);
  if (on('nmrn_ingest')) {
    ctx.log(`models: training NMRN on ${start} events`);
    const rec = await OnlineRecommender.train(new Nmrn({ sampler: 'uniform', epochs: 1 }), events(s, 0, start));
    const stream = events(s, start, s.users.length);
    let at = 0;
    const batch = 64;
    const step = async () => {
      if (at + batch > stream.length) at = 0; // replay from the start of the stream (the model keeps learning)
      await rec.ingest(stream.slice(at, at + batch));
      at += batch;
    };
    const ingest = await timeWindows(step, ctx.quick ? 2 : 8, 8, 2);
    const perEvent = { median: ingest.median * batch, min: ingest.min * batch, max: ingest.max * batch };
    rows.push({ what: 'NMRN ingest (OnlineRecommender, per-user memory, uniform negatives)', 'per second': Math.round(perEvent.median), slowest: Math.round(perEvent.min), fastest: Math.round(perEvent.max), unit: 'events (micro-batches of 64)' });
    figures.nmrn_ingest_events_per_second = perEvent.median;
    rec.dispose();
  }

  // 2. recommend latency over a 10,000-item catalogue
  const big = syntheticStream({ seed: 2, numUsers: 2000 / scale, numItems: 10_000 / scale, numEvents: 60_000 / scale }).interactions;
  const models: [string, () => Nmrn | Cmn | Mars | Dmn][] = [
    ['nmrn', () => new Nmrn({ sampler: 'uniform', epochs: 1 })],
    ['cmn', () => new Cmn({ epochs: 1, pretrainEpochs: 0 })],
    ['cmn_d50', () => new Cmn({ dim: 50, epochs: 1, pretrainEpochs: 0 })],
    ['mars', () => new Mars({ epochs: 1 })],
    ['dmn', () => new Dmn({ epochs: 1 })],
  ];
  for (const [name, make] of models.filter(([n]) => on(n))) {
    ctx.log(`models: training ${name} on ${big.users.length} events over ${big.numItems} items`);
    const m = make();
    await m.fit(big);
    const lat = recommendLatency(m, ctx.quick ? 30 : 300, 10);
    rows.push({ what: `${name} recommend(user, 10) over ${m.numItems} items`, 'p50 ms': lat.median.toFixed(2), 'p99 ms': lat.p99.toFixed(2), unit: 'ms per call' });
    figures[`recommend_p50_ms_${name}`] = lat.median;
    figures[`recommend_p99_ms_${name}`] = lat.p99;
    m.dispose();
  }

  // 3. CMN training at dim 50
  const train = prefix(s, start);
  if (on('cmn_train')) {
    const cmn = new Cmn({ dim: 50, hops: 2, maxNeighbours: 16, negatives: 4, batchSize: 256, pretrainEpochs: 0, epochs: 1 });
    const t0 = performance.now();
    await cmn.fit(train);
    const seconds = (performance.now() - t0) / 1000;
    const pairs = (train.users.length * (1 + cmn.config.negatives)) / seconds;
    rows.push({ what: 'Cmn.fit (d 50, 2 hops, 16 neighbours, 4 negatives, batch 256)', 'per second': Math.round(pairs), unit: 'pairs (positives x (1 + negatives))' });
    figures.cmn_model_train_pairs_per_second = pairs;
    cmn.dispose();
  }

  // 4. IRGAN training
  if (on('irgan')) {
    const irgan = new Irgan({ pretrainEpochs: 5, epochs: 1 });
    const t1 = performance.now();
    await irgan.fit(train);
    const irganSeconds = (performance.now() - t1) / 1000;
    const positives = UserItemSet.fromInteractions(train);
    let distinct = 0;
    for (let u = 0; u < positives.numUsers; u++) distinct += positives.count(u);
    const c = irgan.config;
    const passes = c.pretrainEpochs + c.dEpochs + c.gEpochs;
    const irganRate = (distinct * passes) / irganSeconds;
    rows.push({ what: `Irgan.fit (d ${c.dim}, ${c.pretrainEpochs} DNS passes of G, ${c.dEpochs} D passes, ${c.gEpochs} G passes over ${train.numItems} items)`, 'per second': Math.round(irganRate), unit: 'events (distinct positives x passes)' });
    figures.irgan_train_events_per_second = irganRate;
    irgan.dispose();
  }

  // 5. sequential models: training, then streaming updates (observe) in blocks of 64 events
  const sequential: [string, () => Gru4Rec | Rum | Stamp | Mars | Dmn | Ksr][] = [
    ['gru4rec', () => new Gru4Rec({ epochs: 1 })],
    ['rum_item', () => new Rum({ memory: 'item', epochs: 1 })],
    ['rum_feature', () => new Rum({ memory: 'feature', slots: 20, epochs: 1 })],
    ['stamp', () => new Stamp({ epochs: 1 })],
    ['mars', () => new Mars({ epochs: 1 })],
    ['dmn', () => new Dmn({ epochs: 1 })],
    ['ksr', () => new Ksr({ epochs: 1 })],
  ];
  const rest: Interactions = { ...s, users: s.users.subarray(start), items: s.items.subarray(start), timestamps: s.timestamps?.subarray(start) };
  for (const [name, make] of sequential.filter(([n]) => on(n))) {
    ctx.log(`models: training ${name} on ${train.users.length} events`);
    const m = make();
    const t2 = performance.now();
    await m.fit(train);
    const trainRate = train.users.length / ((performance.now() - t2) / 1000);
    let from = 0;
    const block = 64;
    const update = async () => {
      if (from + block > rest.users.length) from = 0; // replay from the start of the stream (the model keeps learning)
      await m.observe({ ...rest, users: rest.users.subarray(from, from + block), items: rest.items.subarray(from, from + block), timestamps: rest.timestamps?.subarray(from, from + block) });
      from += block;
    };
    const upd = await timeWindows(update, ctx.quick ? 2 : 8, 8, 2);
    rows.push({ what: `${name} fit (library defaults, one epoch)`, 'per second': Math.round(trainRate), unit: 'training events' });
    rows.push({ what: `${name} observe (blocks of ${block})`, 'per second': Math.round(upd.median * block), slowest: Math.round(upd.min * block), fastest: Math.round(upd.max * block), unit: 'streamed events' });
    figures[`${name}_train_events_per_second`] = trainRate;
    figures[`${name}_update_events_per_second`] = upd.median * block;
    m.dispose();
  }
  return { rows, figures };
}
