// What the Redis queue costs per cell, without the cell's work: enqueue N cells under one parent,
// one BullMQ worker (concurrency 1) takes each and stores a result of SIZE kB at once, then the
// coordinator's collection of every result. Prints milliseconds per cell.
// Usage: node apps/bench/scripts/queue-roundtrip.mjs redis://127.0.0.1:6379 [N=50] [SIZE_KB=300]
import { randomBytes } from 'node:crypto';
import { FlowProducer, Queue, Worker } from 'bullmq';

const [url = 'redis://127.0.0.1:6379', n = '50', kb = '300'] = process.argv.slice(2);
const u = new URL(url);
const connection = { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
const prefix = `roundtrip-${process.pid}`;
const payload = `gz:${randomBytes(Math.round((Number(kb) * 1024 * 3) / 4)).toString('base64')}`; // a gzipped result does not compress further
const cells = Array.from({ length: Number(n) }, (_, k) => ({ name: 'cell', queueName: 'cells', data: { k }, opts: { jobId: `c${k}`, ignoreDependencyOnFailure: true } }));
const flows = new FlowProducer({ connection, prefix });
const reports = new Queue('reports', { connection, prefix });
const t0 = performance.now();
await flows.add({ name: 'report', queueName: 'reports', data: {}, opts: { jobId: 'grid' }, children: cells });
const t1 = performance.now();
const worker = new Worker('cells', async () => payload, { connection, prefix, concurrency: 1 });
const parent = await reports.getJob('grid');
for (;;) {
  const c = await parent.getDependenciesCount();
  if (!c.unprocessed) break;
  await new Promise((r) => setTimeout(r, 20));
}
const t2 = performance.now();
const values = await parent.getChildrenValues();
const t3 = performance.now();
await worker.close();
await reports.obliterate({ force: true });
await new Queue('cells', { connection, prefix }).obliterate({ force: true });
await Promise.all([flows.close(), reports.close()]);
const per = (ms) => (ms / Number(n)).toFixed(2);
console.log(`${n} cells, ${kb} kB results: enqueue ${per(t1 - t0)} ms/cell, take + store ${per(t2 - t1)} ms/cell, collect ${per(t3 - t2)} ms/cell (${Object.keys(values).length} results)`);
process.exit(0);
