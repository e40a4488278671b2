// The IRGAN-format MovieLens-100K split of the root README: a seeded 80/20 split of u.data's
// lines (mulberry32, seed 20170807), written as `user-1 \t item-1 \t rating` (0-based ids, the
// format of IRGAN's movielens-100k-train.txt / -test.txt).
// Usage: node apps/bench/examples/irgan-split.mjs path/to/u.data OUT_DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [uData, outDir] = process.argv.slice(2);
if (!uData || !outDir) throw new Error('irgan-split: usage: node irgan-split.mjs path/to/u.data OUT_DIR');
let a = 20170807;
const rnd = () => {
  a |= 0;
  a = (a + 0x6d2b79f5) | 0;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const rows = readFileSync(uData, 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.split('\t'))
  .map(([u, i, r]) => `${u - 1}\t${i - 1}\t${r}`);
for (let k = rows.length - 1; k > 0; k--) {
  const j = Math.floor(rnd() * (k + 1));
  [rows[k], rows[j]] = [rows[j], rows[k]];
}
const n = Math.round(rows.length * 0.8);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'movielens-100k-train.txt'), rows.slice(0, n).join('\n') + '\n');
writeFileSync(join(outDir, 'movielens-100k-test.txt'), rows.slice(n).join('\n') + '\n');
console.log(`irgan-split: ${n} training and ${rows.length - n} test ratings in ${outDir}`);
