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

  it('errors name the function, the line and the unknown instruction, local or label', () => {
    const fn = (body: string): WasmFunction[] => [{ name: 'g', params: [['x', 'i32']], body }];
    expect(() => assembleWasm(fn('local.get x\ni32.frob'))).toThrow('assembleWasm: g line 2: unknown instruction i32.frob');
    expect(() => assembleWasm(fn('local.get y  drop'))).toThrow('assembleWasm: g line 1: unknown local y');
    expect(() => assembleWasm(fn('block $a\n  br $b\nend'))).toThrow('assembleWasm: g line 2: unknown label $b');
    expect(() => assembleWasm(fn('block $a'))).toThrow('assembleWasm: g: 1 block(s) left open');
  });
});
