import type { WasmFunction } from '@memrec/core/internal';

/**
 * WebAssembly SIMD kernels of {@link RowRanker}, in the flat text form of `assembleWasm`
 * (`@memrec/core/internal`). They read one row of ranking keys (f32, higher ranks first) laid out
 * from byte 0 of the memory and padded with -Infinity to whole runs of 64 keys. Addresses are
 * bytes.
 *
 * - `runMax(p, end, out) -> i32`: for each run of 64 keys in `[p, end)`, the vector of its lane
 *   maxima (lane l: the largest of keys l, l + 4, ..., l + 60) at `out`, 16 bytes per run; returns
 *   1 when a key is NaN, else 0. `negRunMax` first negates the keys in place (distances).
 * - `superMax(src, count, out)`: lane maxima of each 4 consecutive vectors (groups of 4 runs).
 * - `kthLargest(src, count, k, buf) -> f32`: the k-th largest of `count` f32 values.
 * - `topK(lanes, runs, tau, k, out) -> size`: the best k ids among the keys >= tau, best first.
 * - `count1` .. `count4(seg, out)` count keys above G thresholds that change at segment bounds:
 *   at `seg`, G + 2 i32 bounds (key indices, ascending) are followed by G + 1 rows of G f32
 *   thresholds; segment s = `[bound s, bound s+1)` is compared with row s. Key x adds 1 to count
 *   h when `x > threshold` (strictly). Writes the G counts (i32) at `out`.
 *
 * The passes over every key are branch-free (`f32x4.pmax` is one machine instruction; it may
 * drop a NaN lane, so NaN is found by an explicit `x != x` test of every key); data-dependent
 * branches are left to the few keys near the top.
 */

/**
 * Lane maxima of each run of 64 keys, NaN test included; `negate` flips the sign of each key
 * first. Branch-free: a run's 16 vectors are folded with `f32x4.pmax` into one vector whose lane l
 * is the largest of the run's keys l, l + 4, ..., l + 60.
 */
function runMax(name: string, negate: boolean): WasmFunction {
  const lines = ['block $done', 'loop $next', 'local.get p  local.get end  i32.ge_u  br_if $done'];
  for (let v = 0; v < 16; v++) {
    lines.push(`local.get p  v128.load offset=${16 * v}`);
    if (negate) lines.push(`f32x4.neg  local.set x  local.get p  local.get x  v128.store offset=${16 * v}  local.get x`);
    lines.push('local.tee x  local.get x  f32x4.ne  local.get bad  v128.or  local.set bad');
    lines.push(v === 0 ? 'local.get x  local.set m' : 'local.get m  local.get x  f32x4.pmax  local.set m');
  }
  lines.push('local.get out  local.get m  v128.store');
  lines.push('local.get out  i32.const 16  i32.add  local.set out');
  lines.push('local.get p  i32.const 256  i32.add  local.set p  br $next', 'end', 'end', 'local.get bad  v128.any_true');
  return {
    name,
    export: true,
    params: [['p', 'i32'], ['end', 'i32'], ['out', 'i32']],
    result: 'i32',
    locals: [['m', 'v128'], ['x', 'v128'], ['bad', 'v128']],
    body: lines.join('\n'),
  };
}

/** Counts of keys above G thresholds per segment (see the file comment for the table layout). */
function countAbove(G: number): WasmFunction {
  const hs = Array.from({ length: G }, (_, h) => h);
  const lines = [
    `local.get seg  i32.const ${4 * (G + 2)}  i32.add  local.set q`,
    'block $segs',
    'loop $seg',
    `local.get s  i32.const ${G + 1}  i32.ge_u  br_if $segs`,
    // p = 4 bound[s], end = 4 bound[s + 1]
    'local.get seg  local.get s  i32.const 2  i32.shl  i32.add  local.tee p',
    'i32.load offset=4  i32.const 2  i32.shl  local.set end',
    'local.get p  i32.load  i32.const 2  i32.shl  local.set p',
    ...hs.map((h) => `local.get q  f32.load offset=${4 * h}  local.tee t${h}  f32x4.splat  local.set v${h}`),
    `local.get q  i32.const ${4 * G}  i32.add  local.set q`,
    // two vectors (8 keys) per step
    'block $vec',
    'loop $l',
    'local.get end  local.get p  i32.sub  i32.const 32  i32.lt_s  br_if $vec',
    'local.get p  v128.load  local.set x',
    'local.get p  v128.load offset=16  local.set y',
    ...hs.map((h) => `local.get a${h}  local.get x  local.get v${h}  f32x4.gt  i32x4.sub  local.get y  local.get v${h}  f32x4.gt  i32x4.sub  local.set a${h}`),
    'local.get p  i32.const 32  i32.add  local.set p  br $l',
    'end',
    'end',
    // the last keys of the segment, one at a time
    'block $tail',
    'loop $t',
    'local.get p  local.get end  i32.ge_u  br_if $tail',
    'local.get p  f32.load  local.set k',
    ...hs.map((h) => `local.get c${h}  local.get k  local.get t${h}  f32.gt  i32.add  local.set c${h}`),
    'local.get p  i32.const 4  i32.add  local.set p  br $t',
    'end',
    'end',
    'local.get s  i32.const 1  i32.add  local.set s  br $seg',
    'end',
    'end',
    ...hs.map(
      (h) =>
        `local.get out  local.get c${h}` +
        [0, 1, 2, 3].map((l) => `  local.get a${h}  i32x4.extract_lane ${l}  i32.add`).join('') +
        `  i32.store offset=${4 * h}`,
    ),
  ];
  const locals: WasmFunction['locals'] = [['s', 'i32'], ['p', 'i32'], ['end', 'i32'], ['q', 'i32'], ['x', 'v128'], ['y', 'v128'], ['k', 'f32']];
  for (const h of hs) locals.push([`a${h}`, 'v128'], [`v${h}`, 'v128'], [`t${h}`, 'f32'], [`c${h}`, 'i32']);
  return { name: `count${G}`, export: true, params: [['seg', 'i32'], ['out', 'i32']], locals, body: lines.join('\n') };
}

/** `superMax(src, count, out)`: lane-wise maxima of each 4 consecutive vectors of `count` (a multiple of 4) at `src`. */
const superMax: WasmFunction = {
  name: 'superMax',
  export: true,
  params: [['src', 'i32'], ['count', 'i32'], ['out', 'i32']],
  locals: [['end', 'i32']],
  body: [
    'local.get src  local.get count  i32.const 4  i32.shl  i32.add  local.set end',
    'block $done',
    'loop $next',
    'local.get src  local.get end  i32.ge_u  br_if $done',
    'local.get out',
    'local.get src  v128.load  local.get src  v128.load offset=16  f32x4.pmax',
    'local.get src  v128.load offset=32  local.get src  v128.load offset=48  f32x4.pmax',
    'f32x4.pmax  v128.store',
    'local.get out  i32.const 16  i32.add  local.set out',
    'local.get src  i32.const 64  i32.add  local.set src  br $next',
    'end',
    'end',
  ].join('\n'),
};

/**
 * `kthLargest(src, count, k, buf) -> f32`: the k-th largest of the `count` f32 values at `src`
 * (1 <= k <= count, no NaN), keeping the k largest in descending order at `buf` by insertion.
 */
const kthLargest: WasmFunction = {
  name: 'kthLargest',
  export: true,
  params: [['src', 'i32'], ['count', 'i32'], ['k', 'i32'], ['buf', 'i32']],
  result: 'f32',
  locals: [['i', 'i32'], ['size', 'i32'], ['j', 'i32'], ['a', 'i32'], ['last', 'i32'], ['v', 'f32']],
  body: [
    'local.get buf  local.get k  i32.const 1  i32.sub  i32.const 2  i32.shl  i32.add  local.set last',
    'block $done',
    'loop $next',
    'local.get i  local.get count  i32.ge_u  br_if $done',
    'block $skip',
    '  local.get src  local.get i  i32.const 2  i32.shl  i32.add  f32.load  local.set v',
    '  local.get size  local.get k  i32.lt_u',
    '  if',
    '    local.get size  local.set j',
    '    local.get size  i32.const 1  i32.add  local.set size',
    '  else',
    '    local.get v  local.get last  f32.load  f32.le  br_if $skip',
    '    local.get k  i32.const 1  i32.sub  local.set j',
    '  end',
    // shift the smaller values one place down; j ends where v goes
    '  block $placed',
    '  loop $shift',
    '    local.get j  i32.eqz  br_if $placed',
    '    local.get buf  local.get j  i32.const 2  i32.shl  i32.add  i32.const 4  i32.sub  local.tee a',
    '    f32.load  local.get v  f32.ge  br_if $placed',
    '    local.get a  local.get a  f32.load  f32.store offset=4',
    '    local.get j  i32.const 1  i32.sub  local.set j  br $shift',
    '  end',
    '  end',
    '  local.get buf  local.get j  i32.const 2  i32.shl  i32.add  local.get v  f32.store',
    'end',
    'local.get i  i32.const 1  i32.add  local.set i  br $next',
    'end',
    'end',
    'local.get last  f32.load',
  ].join('\n'),
};

/** `x ^ ((x >> 31) & 0x7fffffff)`: float32 bits to an i32 of the same order (its own inverse). */
const ORDERED = 'local.tee b  local.get b  i32.const 31  i32.shr_s  i32.const 2147483647  i32.and  i32.xor';

/**
 * `kthByCount(src, count, k) -> f32`: the k-th largest of the `count` f32 values at `src`
 * (`count` a multiple of 4, padded with -Infinity; no NaN), branch-free: the largest value with
 * at least k values >= it. O(count^2 / 4), for short lists.
 */
const kthByCount: WasmFunction = {
  name: 'kthByCount',
  export: true,
  params: [['src', 'i32'], ['count', 'i32'], ['k', 'i32']],
  result: 'f32',
  locals: [['i', 'i32'], ['j', 'i32'], ['end', 'i32'], ['c', 'i32'], ['b', 'i32'], ['best', 'i32'], ['sv', 'v128'], ['acc', 'v128']],
  body: [
    'local.get src  local.tee i  local.get count  i32.const 2  i32.shl  i32.add  local.set end',
    `f32.const -Infinity  i32.reinterpret_f32  ${ORDERED}  local.set best`,
    'block $done',
    'loop $next',
    'local.get i  local.get end  i32.ge_u  br_if $done',
    'local.get i  f32.load  f32x4.splat  local.set sv',
    'i32.const 0  i32x4.splat  local.set acc',
    'local.get src  local.set j',
    'block $counted',
    'loop $count',
    '  local.get j  local.get end  i32.ge_u  br_if $counted',
    '  local.get acc  local.get j  v128.load  local.get sv  f32x4.ge  i32x4.sub  local.set acc',
    '  local.get j  i32.const 16  i32.add  local.set j  br $count',
    'end',
    'end',
    'local.get acc  i32x4.extract_lane 0  local.get acc  i32x4.extract_lane 1  i32.add',
    'local.get acc  i32x4.extract_lane 2  i32.add  local.get acc  i32x4.extract_lane 3  i32.add  local.set c',
    // candidate = c >= k ? value : best; best = max(best, candidate), in ordered bits
    `local.get i  i32.load  ${ORDERED}  local.get best  local.get c  local.get k  i32.ge_s  select  local.tee b`,
    'local.get best  local.get b  local.get best  i32.gt_s  select  local.set best',
    'local.get i  i32.const 4  i32.add  local.set i  br $next',
    'end',
    'end',
    `local.get best  ${ORDERED}  f32.reinterpret_i32`,
  ].join('\n'),
};

/**
 * `topK(lanes, runs, tau, k, out, scratch) -> size`: the best min(k, found) ids among the keys
 * >= tau, best first at `out` (i32). Finding the keys is branch-free: the runs of 64 keys whose
 * lane maxima (a vector per run at `lanes`) reach tau, then their vectors of 4 keys that reach
 * it, then those keys are listed at `scratch` (324 bytes per run) by appending always and
 * advancing the count by the test. The listed keys, in id order, are then inserted after the
 * equal ones already held, so equal keys rank the lower id first; once k are held, a key enters
 * only when strictly larger than the k-th.
 */
const topK: WasmFunction = {
  name: 'topK',
  export: true,
  params: [['lanes', 'i32'], ['runs', 'i32'], ['tau', 'f32'], ['k', 'i32'], ['out', 'i32'], ['scratch', 'i32']],
  result: 'i32',
  locals: [
    ['i', 'i32'], ['c', 'i32'], ['q', 'i32'], ['qend', 'i32'], ['vecs', 'i32'], ['nv', 'i32'], ['ids', 'i32'], ['ni', 'i32'],
    ['j', 'i32'], ['size', 'i32'], ['p', 'i32'], ['a', 'i32'], ['last', 'i32'], ['v', 'f32'], ['t', 'v128'],
  ],
  body: [
    'local.get tau  f32x4.splat  local.set t',
    'local.get scratch  local.get runs  i32.const 2  i32.shl  i32.add  local.tee vecs',
    'local.get runs  i32.const 6  i32.shl  i32.add  local.set ids',
    // runs whose lane maxima reach tau
    'block $runs',
    'loop $run',
    '  local.get i  local.get runs  i32.ge_u  br_if $runs',
    '  local.get scratch  local.get c  i32.const 2  i32.shl  i32.add  local.get i  i32.store',
    '  local.get c  local.get lanes  local.get i  i32.const 4  i32.shl  i32.add  v128.load  local.get t  f32x4.ge  v128.any_true  i32.add  local.set c',
    '  local.get i  i32.const 1  i32.add  local.set i  br $run',
    'end',
    'end',
    // their vectors that reach tau
    'i32.const 0  local.set i',
    'block $runs2',
    'loop $run2',
    '  local.get i  local.get c  i32.ge_u  br_if $runs2',
    '  local.get scratch  local.get i  i32.const 2  i32.shl  i32.add  i32.load  i32.const 8  i32.shl  local.tee q  i32.const 256  i32.add  local.set qend',
    '  block $vecs',
    '  loop $vec',
    '    local.get q  local.get qend  i32.ge_u  br_if $vecs',
    '    local.get vecs  local.get nv  i32.const 2  i32.shl  i32.add  local.get q  i32.store',
    '    local.get nv  local.get q  v128.load  local.get t  f32x4.ge  v128.any_true  i32.add  local.set nv',
    '    local.get q  i32.const 16  i32.add  local.set q  br $vec',
    '  end',
    '  end',
    '  local.get i  i32.const 1  i32.add  local.set i  br $run2',
    'end',
    'end',
    // their keys that reach tau, in id order
    'i32.const 0  local.set i',
    'block $vecs2',
    'loop $vec2',
    '  local.get i  local.get nv  i32.ge_u  br_if $vecs2',
    '  local.get vecs  local.get i  i32.const 2  i32.shl  i32.add  i32.load  local.set q',
    ...[0, 1, 2, 3].map(
      (l) =>
        `  local.get ids  local.get ni  i32.const 2  i32.shl  i32.add  local.get q  i32.const 2  i32.shr_s  i32.const ${l}  i32.add  i32.store
` +
        `  local.get ni  local.get q  f32.load offset=${4 * l}  local.get tau  f32.ge  i32.add  local.set ni`,
    ),
    '  local.get i  i32.const 1  i32.add  local.set i  br $vec2',
    'end',
    'end',
    // the best k of them by insertion
    'local.get out  local.get k  i32.const 1  i32.sub  i32.const 2  i32.shl  i32.add  local.set last',
    'i32.const 0  local.set i',
    'block $keys',
    'loop $key',
    '  local.get i  local.get ni  i32.ge_u  br_if $keys',
    '  block $skip',
    '    local.get ids  local.get i  i32.const 2  i32.shl  i32.add  i32.load  local.tee j  i32.const 2  i32.shl  f32.load  local.set v',
    '    local.get size  local.get k  i32.lt_u',
    '    if',
    '      local.get size  local.set p',
    '      local.get size  i32.const 1  i32.add  local.set size',
    '    else',
    '      local.get v  local.get last  i32.load  i32.const 2  i32.shl  f32.load  f32.le  br_if $skip',
    '      local.get k  i32.const 1  i32.sub  local.set p',
    '    end',
    // shift the ids of smaller keys one place down; p ends where j goes
    '    block $placed',
    '    loop $shift',
    '      local.get p  i32.eqz  br_if $placed',
    '      local.get out  local.get p  i32.const 2  i32.shl  i32.add  i32.const 4  i32.sub  local.tee a',
    '      i32.load  i32.const 2  i32.shl  f32.load  local.get v  f32.ge  br_if $placed',
    '      local.get a  local.get a  i32.load  i32.store offset=4',
    '      local.get p  i32.const 1  i32.sub  local.set p  br $shift',
    '    end',
    '    end',
    '    local.get out  local.get p  i32.const 2  i32.shl  i32.add  local.get j  i32.store',
    '  end',
    '  local.get i  i32.const 1  i32.add  local.set i  br $key',
    'end',
    'end',
    'local.get size',
  ].join('\n'),
};

/**
 * `exclude(list, count, n, sentinel) -> i32`: sets the keys of the `count` item ids at `list`
 * (i32, sorted ascending) to `sentinel`; returns how many distinct ids are below `n` (negative
 * ids count but write nothing), or -1 when one of their keys is NaN.
 */
const exclude: WasmFunction = {
  name: 'exclude',
  export: true,
  params: [['list', 'i32'], ['count', 'i32'], ['n', 'i32'], ['sentinel', 'f32']],
  result: 'i32',
  locals: [['end', 'i32'], ['j', 'i32'], ['prev', 'i32'], ['c', 'i32'], ['x', 'f32']],
  body: [
    'local.get list  local.get count  i32.const 2  i32.shl  i32.add  local.set end',
    // prev: the id before; the first id compares with itself minus 1
    'local.get list  i32.load  i32.const 1  i32.sub  local.set prev',
    'block $done',
    'loop $next',
    '  local.get list  local.get end  i32.ge_u  br_if $done',
    '  local.get list  i32.load  local.tee j  local.get n  i32.lt_s',
    '  if',
    '    local.get j  local.get prev  i32.ne',
    '    if',
    '      local.get c  i32.const 1  i32.add  local.set c',
    '      local.get j  i32.const 0  i32.ge_s',
    '      if',
    '        local.get j  i32.const 2  i32.shl  f32.load  local.tee x  local.get x  f32.ne',
    '        if',
    '          i32.const -1  return',
    '        end',
    '        local.get j  i32.const 2  i32.shl  local.get sentinel  f32.store',
    '      end',
    '    end',
    '  end',
    '  local.get j  local.set prev',
    '  local.get list  i32.const 4  i32.add  local.set list  br $next',
    'end',
    'end',
    'local.get c',
  ].join('\n'),
};

/** Largest number of thresholds one count kernel takes. */
export const MAX_THRESHOLDS = 4;

/** The kernels, for `assembleWasm`. */
export const RANK_WASM_FUNCTIONS: WasmFunction[] = [
  runMax('runMax', false),
  runMax('negRunMax', true),
  superMax,
  kthLargest,
  kthByCount,
  topK,
  exclude,
  ...Array.from({ length: MAX_THRESHOLDS }, (_, g) => countAbove(g + 1)),
];
