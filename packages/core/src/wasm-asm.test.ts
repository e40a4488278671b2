import { assembleWasm, type WasmFunction } from './wasm-asm';

type Fn = (...args: number[]) => number;
interface WasmApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

function instantiate(functions: WasmFunction[]): { exports: Record<string, Fn>; f32: Float32Array; i32: Int32Array } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(assembleWasm(functions)), { env: { memory } });
  return { exports: instance.exports as unknown as Record<string, Fn>, f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer) };
}

describe('assembleWasm', () => {
  it('assembles scalar code with named locals, labels, nested loops and calls', () => {
    const { exports } = instantiate([
      { name: 'sq', params: [['x', 'i32']], result: 'i32', body: 'local.get x  local.get x  i32.mul' },
      {
        // sum over i < n, j < n of sq(i) where j <= i: sum_i (i + 1) i^2
        name: 'f', params: [['n', 'i32']], result: 'i32', export: true, locals: [['i', 'i32'], ['j', 'i32'], ['acc', 'i32']],
        body: `
          block $di  loop $li
            local.get i  local.get n  i32.ge_s  br_if $di
            i32.const 0  local.set j
            block $dj  loop $lj
              local.get j  local.get i  i32.gt_s  br_if $dj  ;; leaves the inner loop only
              local.get acc  local.get i  call sq  i32.add  local.set acc
              local.get j  i32.const 1  i32.add  local.set j  br $lj
            end  end
            local.get i  i32.const 1  i32.add  local.set i  br $li
          end  end
          local.get acc`,
      },
    ]);
    expect(exports.f(5)).toBe(130); // i = 0..4: (i + 1) i^2 = 0 + 2 + 12 + 36 + 80
  });

  it('SIMD lanes: load / store with offsets, splat, add, sub, mul, min, max, nearest, i32x4 add / shl / trunc_sat, extract_lane', () => {
    const { exports, f32, i32 } = instantiate([{
      name: 'f', params: [], export: true, body: `
        i32.const 32  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.add  v128.store            ;; [8..12) = a + b
        i32.const 16  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.sub  v128.store offset=32        ;; [12..16) = a - b
        i32.const 64  i32.const 0  v128.load  f32.const 2  f32x4.splat  f32x4.mul  v128.store                    ;; [16..20) = 2a
        i32.const 80  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.min  v128.store             ;; [20..24) = min(a, b)
        i32.const 96  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.max  v128.store             ;; [24..28) = max(a, b)
        i32.const 112  i32.const 0  v128.load  f32x4.nearest  v128.store                                         ;; [28..32) = nearest(a)
        i32.const 128  i32.const 0  v128.load  i32x4.trunc_sat_f32x4_s  i32.const 3  i32x4.splat  i32x4.add  i32.const 2  i32x4.shl  v128.store ;; [32..36) = (trunc(a) + 3) << 2
        i32.const 144  i32.const 0  v128.load  f32x4.extract_lane 2  f32.store                                  ;; [36] = a[2]`,
    }]);
    const A = [1.5, -2.5, 3.25, -0.4].map(Math.fround);
    const B = [10, 20, -30, 40];
    f32.set(A, 0);
    f32.set(B, 4);
    exports.f();
    const lanes = (op: (x: number, y: number) => number) => A.map((x, k) => Math.fround(op(x, B[k])));
    expect(Array.from(f32.subarray(8, 12))).toEqual(lanes((x, y) => x + y));
    expect(Array.from(f32.subarray(12, 16))).toEqual(lanes((x, y) => x - y));
    expect(Array.from(f32.subarray(16, 20))).toEqual(lanes((x) => 2 * x));
    expect(Array.from(f32.subarray(20, 24))).toEqual(lanes(Math.min));
    expect(Array.from(f32.subarray(24, 28))).toEqual(lanes(Math.max));
    expect(Array.from(f32.subarray(28, 32))).toEqual([2, -2, 3, -0]); // round half to even
    expect(Array.from(i32.subarray(32, 36))).toEqual([16, 4, 24, 12]); // trunc: 1, -2, 3, 0
    expect(f32[36]).toBe(3.25);
  });

  it('SIMD comparisons, lane tests, pmax / pmin, neg, i32x4 sub / extract_lane, bitwise and / or, unsigned compares', () => {
    const { exports, f32, i32 } = instantiate([
      {
        name: 'f', params: [], export: true, body: `
        i32.const 32  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.gt  v128.store            ;; [8..12) = a > b
        i32.const 48  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.ge  v128.store            ;; [12..16) = a >= b
        i32.const 64  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.le  v128.store            ;; [16..20) = a <= b
        i32.const 80  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.lt  v128.store            ;; [20..24) = a < b
        i32.const 96  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.eq  v128.store            ;; [24..28) = a == b
        i32.const 112  i32.const 0  v128.load  i32.const 0  v128.load  f32x4.ne  v128.store                     ;; [28..32) = a != a (NaN lanes)
        i32.const 128  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.pmax  v128.store         ;; [32..36) = b > a ? b : a
        i32.const 144  i32.const 0  v128.load  i32.const 0  v128.load offset=16  f32x4.pmin  v128.store         ;; [36..40) = b < a ? b : a
        i32.const 160  i32.const 0  v128.load  f32x4.neg  v128.store                                             ;; [40..44) = -a
        i32.const 176  i32.const 10  i32x4.splat  i32.const 48  v128.load  i32x4.sub  v128.store                 ;; [44..48) = 10 - (a >= b) = 10 + [a >= b]
        i32.const 192  i32.const 48  v128.load  i32.const 80  v128.load  v128.and  i32x4.extract_lane 3  i32.store  ;; [48] = lane 3 of (a >= b) & (a < b)
        i32.const 196  i32.const 176  v128.load  i32x4.extract_lane 1  i32.store                                 ;; [49] = lane 1 of [44..48)
        i32.const 200  i32.const 112  v128.load  i32.const 64  v128.load  v128.or  i32x4.all_true  i32.store      ;; [50] = all lanes of (a != a) | (a <= b)
        i32.const 204  i32.const 96  v128.load  v128.any_true  i32.store                                          ;; [51] = any lane of a == b
        i32.const 208  i32.const -1  i32.const 1  i32.gt_u  i32.store                                            ;; [52] = 0xffffffff > 1 unsigned
        i32.const 212  i32.const -1  i32.const 1  i32.lt_u  i32.store                                            ;; [53]
        i32.const 216  i32.const 3  i32.const 3  i32.ge_u  i32.store                                             ;; [54]
        i32.const 220  i32.const 4  i32.const 3  i32.le_u  i32.store                                             ;; [55]`,
      },
    ]);
    const A = [1, 2, NaN, -0];
    const B = [2, 2, 1, 0];
    f32.set(A, 0);
    f32.set(B, 4);
    exports.f();
    const mask = (op: (x: number, y: number) => boolean) => A.map((x, k) => (op(x, B[k]) ? -1 : 0));
    expect(Array.from(i32.subarray(8, 12))).toEqual(mask((x, y) => x > y));
    expect(Array.from(i32.subarray(12, 16))).toEqual(mask((x, y) => x >= y));
    expect(Array.from(i32.subarray(16, 20))).toEqual(mask((x, y) => x <= y));
    expect(Array.from(i32.subarray(20, 24))).toEqual(mask((x, y) => x < y));
    expect(Array.from(i32.subarray(24, 28))).toEqual(mask((x, y) => x === y));
    expect(Array.from(i32.subarray(28, 32))).toEqual([0, 0, -1, 0]);
    expect(Array.from(f32.subarray(32, 36))).toEqual([2, 2, NaN, -0]); // pmax keeps a when the comparison is false (NaN, -0 vs 0)
    expect(Array.from(f32.subarray(36, 40))).toEqual([1, 2, NaN, -0]);
    expect(Array.from(f32.subarray(40, 44))).toEqual([-1, -2, NaN, 0]);
    expect(Array.from(i32.subarray(44, 48))).toEqual([10, 11, 10, 11]);
    // and (or would give -1); lane 1; all_true (the NaN lane is set by a != a); any_true; unsigned compares
    expect(Array.from(i32.subarray(48, 56))).toEqual([0, 11, 1, 1, 1, 0, 1, 0]);
  });

  it('errors name the function, the line and the unknown instruction, local or label', () => {
    const fn = (body: string): WasmFunction[] => [{ name: 'g', params: [['x', 'i32']], body }];
    expect(() => assembleWasm(fn('local.get x\ni32.frob'))).toThrow('assembleWasm: g line 2: unknown instruction i32.frob');
    expect(() => assembleWasm(fn('local.get y  drop'))).toThrow('assembleWasm: g line 1: unknown local y');
    expect(() => assembleWasm(fn('block $a\n  br $b\nend'))).toThrow('assembleWasm: g line 2: unknown label $b');
    expect(() => assembleWasm(fn('block $a'))).toThrow('assembleWasm: g: 1 block(s) left open');
  });
});
