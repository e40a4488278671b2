import type { WasmFunction } from '@memrec/core/internal';

/**
 * Building blocks of CMN's WebAssembly kernels ({@link CMN_WASM_FUNCTIONS}), in the flat text form
 * {@link assembleWasm} reads; pointers are byte offsets, rows hold `dp = 4 dp4` float32 columns
 * (zero-padded), a neighbour row is `table + rows[s]` (`rows` holds byte offsets).
 * - `softmax(p, n, mx)`: `p[s] <- exp(p[s] - mx)`, four lanes at a time, returns the sum;
 * - `wsum(p, rows, n, table, acc, dp4, k)`: `acc <- k sum_s p[s] row_s`;
 * - `logits(z, rows, n, table, p, dp4)`: `p[s] <- z . row_s`, returns the largest;
 * - `scatter(w, rows, n, x, base, dp4)`: `base[rows[s]] += w[s] x`;
 * - `matvec(x, W, b, y, dp4)`: `y <- x W + b`; `relu3(a, b, c, dst, dp4)`: `dst <- max(a + b + c, 0)`.
 * The exponential is `2^t poly(r)`, `x = t ln2 + r`, with the degree-6 Taylor polynomial on
 * |r| <= ln2 / 2 (relative error below 3e-7); a logit more than 87 below its row's maximum counts
 * as 87 below (weight below 2e-38 instead of less).
 *
 * @example
 * ```ts
 * const bytes = assembleWasm([...CMN_WASM_ROWS, { name: 'run', params: [], export: true, body: '...call wsum...' }]);
 * ```
 */
export const CMN_WASM_ROWS: WasmFunction[] = [
  {
    // p[s] <- exp(p[s] - mx) for s < n, four lanes at a time; returns their sum. p has room for n
    // rounded up to 4: the lanes past n are set to -inf first, so they add exp(-87) < 2e-38
    name: 'softmax', params: [['p', 'i32'], ['n', 'i32'], ['mx', 'f32']], result: 'f32',
    locals: [['s', 'i32'], ['a', 'i32'], ['x', 'v128'], ['t', 'v128'], ['r', 'v128'], ['sum', 'v128']],
    body: `
      local.get p  local.get n  i32.const 2  i32.shl  i32.add  local.tee a  f32.const -Infinity  f32.store
      local.get a  f32.const -Infinity  f32.store offset=4
      local.get a  f32.const -Infinity  f32.store offset=8
      f32.const 0  f32x4.splat  local.set sum
      block $d2  loop $l2
        local.get s  local.get n  i32.ge_s  br_if $d2
        local.get p  local.get s  i32.const 2  i32.shl  i32.add  local.tee a
        local.get a  v128.load  local.get mx  f32x4.splat  f32x4.sub  f32.const -87  f32x4.splat  f32x4.max  local.tee x
        f32.const 1.4426950408889634  f32x4.splat  f32x4.mul  f32x4.nearest  local.set t
        local.get x  local.get t  f32.const 0.693145751953125  f32x4.splat  f32x4.mul  f32x4.sub
        local.get t  f32.const 0.000001428606765330187  f32x4.splat  f32x4.mul  f32x4.sub  local.set r
        ;; poly(r) = 1 + r (1 + r (1/2 + r (1/6 + r (1/24 + r (1/120 + r / 720)))))
        local.get r  f32.const 0.001388888888888889  f32x4.splat  f32x4.mul  f32.const 0.008333333333333333  f32x4.splat  f32x4.add
        local.get r  f32x4.mul  f32.const 0.041666666666666664  f32x4.splat  f32x4.add
        local.get r  f32x4.mul  f32.const 0.16666666666666666  f32x4.splat  f32x4.add
        local.get r  f32x4.mul  f32.const 0.5  f32x4.splat  f32x4.add
        local.get r  f32x4.mul  f32.const 1  f32x4.splat  f32x4.add
        local.get r  f32x4.mul  f32.const 1  f32x4.splat  f32x4.add
        ;; times 2^t, t in [-126, 0]: the floats with exponent bits t + 127
        local.get t  i32x4.trunc_sat_f32x4_s  i32.const 127  i32x4.splat  i32x4.add  i32.const 23  i32x4.shl
        f32x4.mul  local.tee x  v128.store
        local.get sum  local.get x  f32x4.add  local.set sum
        local.get s  i32.const 4  i32.add  local.set s  br $l2
      end  end
      local.get sum  f32x4.extract_lane 0  local.get sum  f32x4.extract_lane 1  f32.add
      local.get sum  f32x4.extract_lane 2  local.get sum  f32x4.extract_lane 3  f32.add  f32.add`,
  },
  {
    // acc[0 .. dp) <- k sum_s p[s] table[rows[s] ..] over s < n (zeros when n = 0); columns in
    // groups of 16 (four registers over all slots), then the remaining groups of 4
    name: 'wsum', params: [['p', 'i32'], ['rows', 'i32'], ['n', 'i32'], ['table', 'i32'], ['acc', 'i32'], ['dp4', 'i32'], ['scale', 'f32']],
    locals: [['s', 'i32'], ['k', 'i32'], ['w', 'v128'], ['row', 'i32'], ['a0', 'v128'], ['a1', 'v128'], ['a2', 'v128'], ['a3', 'v128'], ['f', 'v128']],
    body: `
      local.get scale  f32x4.splat  local.set f
      block $dg  loop $lg
        local.get k  i32.const 4  i32.add  local.get dp4  i32.gt_s  br_if $dg
        f32.const 0  f32x4.splat  local.tee a0  local.tee a1  local.tee a2  local.set a3
        i32.const 0  local.set s
        block $ds  loop $ls
          local.get s  local.get n  i32.ge_s  br_if $ds
          local.get p  local.get s  i32.const 2  i32.shl  i32.add  f32.load  f32x4.splat  local.set w
          local.get table  local.get rows  local.get s  i32.const 2  i32.shl  i32.add  i32.load  i32.add  local.get k  i32.const 4  i32.shl  i32.add  local.set row
          local.get a0  local.get w  local.get row  v128.load  f32x4.mul  f32x4.add  local.set a0
          local.get a1  local.get w  local.get row  v128.load offset=16  f32x4.mul  f32x4.add  local.set a1
          local.get a2  local.get w  local.get row  v128.load offset=32  f32x4.mul  f32x4.add  local.set a2
          local.get a3  local.get w  local.get row  v128.load offset=48  f32x4.mul  f32x4.add  local.set a3
          local.get s  i32.const 1  i32.add  local.set s  br $ls
        end  end
        local.get acc  local.get k  i32.const 4  i32.shl  i32.add  local.tee row  local.get a0  local.get f  f32x4.mul  v128.store
        local.get row  local.get a1  local.get f  f32x4.mul  v128.store offset=16
        local.get row  local.get a2  local.get f  f32x4.mul  v128.store offset=32
        local.get row  local.get a3  local.get f  f32x4.mul  v128.store offset=48
        local.get k  i32.const 4  i32.add  local.set k  br $lg
      end  end
      block $dk  loop $lk
        local.get k  local.get dp4  i32.ge_s  br_if $dk
        f32.const 0  f32x4.splat  local.set a0
        i32.const 0  local.set s
        block $ds  loop $ls
          local.get s  local.get n  i32.ge_s  br_if $ds
          local.get a0
          local.get p  local.get s  i32.const 2  i32.shl  i32.add  f32.load  f32x4.splat
          local.get table  local.get rows  local.get s  i32.const 2  i32.shl  i32.add  i32.load  i32.add  local.get k  i32.const 4  i32.shl  i32.add  v128.load
          f32x4.mul  f32x4.add  local.set a0
          local.get s  i32.const 1  i32.add  local.set s  br $ls
        end  end
        local.get acc  local.get k  i32.const 4  i32.shl  i32.add  local.get a0  local.get f  f32x4.mul  v128.store
        local.get k  i32.const 1  i32.add  local.set k  br $lk
      end  end`,
  },
  {
    // p[s] <- z . table[rows[s] ..] for s < n (n >= 1), returning the largest; the first 16
    // columns of z stay in four registers, the rest is read 16 then 4 columns at a time
    name: 'logits', params: [['z', 'i32'], ['rows', 'i32'], ['n', 'i32'], ['table', 'i32'], ['p', 'i32'], ['dp4', 'i32']], result: 'f32',
    locals: [['s', 'i32'], ['k', 'i32'], ['row', 'i32'], ['zk', 'i32'], ['a0', 'v128'], ['a1', 'v128'], ['a2', 'v128'], ['a3', 'v128'],
      ['z0', 'v128'], ['z1', 'v128'], ['z2', 'v128'], ['z3', 'v128'], ['q', 'f32'], ['mx', 'f32']],
    body: `
      f32.const -Infinity  local.set mx
      local.get z  v128.load  local.set z0
      local.get z  v128.load offset=16  local.set z1
      local.get z  v128.load offset=32  local.set z2
      local.get z  v128.load offset=48  local.set z3
      block $ds  loop $ls
        local.get s  local.get n  i32.ge_s  br_if $ds
        local.get table  local.get rows  local.get s  i32.const 2  i32.shl  i32.add  i32.load  i32.add  local.set row
        f32.const 0  f32x4.splat  local.tee a0  local.tee a1  local.tee a2  local.set a3
        i32.const 0  local.set k
        local.get dp4  i32.const 4  i32.ge_s
        if
          local.get z0  local.get row  v128.load  f32x4.mul  local.set a0
          local.get z1  local.get row  v128.load offset=16  f32x4.mul  local.set a1
          local.get z2  local.get row  v128.load offset=32  f32x4.mul  local.set a2
          local.get z3  local.get row  v128.load offset=48  f32x4.mul  local.set a3
          i32.const 4  local.set k
          local.get row  i32.const 64  i32.add  local.set row
        end
        local.get z  local.get k  i32.const 4  i32.shl  i32.add  local.set zk
        block $dg  loop $lg
          local.get k  i32.const 4  i32.add  local.get dp4  i32.gt_s  br_if $dg
          local.get a0  local.get zk  v128.load  local.get row  v128.load  f32x4.mul  f32x4.add  local.set a0
          local.get a1  local.get zk  v128.load offset=16  local.get row  v128.load offset=16  f32x4.mul  f32x4.add  local.set a1
          local.get a2  local.get zk  v128.load offset=32  local.get row  v128.load offset=32  f32x4.mul  f32x4.add  local.set a2
          local.get a3  local.get zk  v128.load offset=48  local.get row  v128.load offset=48  f32x4.mul  f32x4.add  local.set a3
          local.get zk  i32.const 64  i32.add  local.set zk
          local.get row  i32.const 64  i32.add  local.set row
          local.get k  i32.const 4  i32.add  local.set k  br $lg
        end  end
        block $dk  loop $lk
          local.get k  local.get dp4  i32.ge_s  br_if $dk
          local.get a0  local.get zk  v128.load  local.get row  v128.load  f32x4.mul  f32x4.add  local.set a0
          local.get zk  i32.const 16  i32.add  local.set zk
          local.get row  i32.const 16  i32.add  local.set row
          local.get k  i32.const 1  i32.add  local.set k  br $lk
        end  end
        local.get a0  local.get a1  f32x4.add  local.get a2  local.get a3  f32x4.add  f32x4.add  local.set a0
        local.get a0  f32x4.extract_lane 0  local.get a0  f32x4.extract_lane 1  f32.add
        local.get a0  f32x4.extract_lane 2  local.get a0  f32x4.extract_lane 3  f32.add  f32.add  local.set q
        local.get p  local.get s  i32.const 2  i32.shl  i32.add  local.get q  f32.store
        local.get mx  local.get q  f32.max  local.set mx
        local.get s  i32.const 1  i32.add  local.set s  br $ls
      end  end
      local.get mx`,
  },
  {
    // y[0 .. dp) <- x[0 .. dp) W + b, W [dp, dp] row-major; 16 output columns at a time in four
    // registers over all rows of W, then the remaining groups of 4
    name: 'matvec', params: [['x', 'i32'], ['W', 'i32'], ['b', 'i32'], ['y', 'i32'], ['dp4', 'i32']],
    locals: [['j', 'i32'], ['k', 'i32'], ['xj', 'v128'], ['row', 'i32'], ['stride', 'i32'], ['dp', 'i32'], ['a', 'i32'],
      ['a0', 'v128'], ['a1', 'v128'], ['a2', 'v128'], ['a3', 'v128']],
    body: `
      local.get dp4  i32.const 4  i32.shl  local.set stride
      local.get dp4  i32.const 2  i32.shl  local.set dp
      block $dg  loop $lg
        local.get k  i32.const 4  i32.add  local.get dp4  i32.gt_s  br_if $dg
        local.get b  local.get k  i32.const 4  i32.shl  i32.add  local.tee a  v128.load  local.set a0
        local.get a  v128.load offset=16  local.set a1
        local.get a  v128.load offset=32  local.set a2
        local.get a  v128.load offset=48  local.set a3
        local.get W  local.get k  i32.const 4  i32.shl  i32.add  local.set row
        i32.const 0  local.set j
        block $dj  loop $lj
          local.get j  local.get dp  i32.ge_s  br_if $dj
          local.get x  local.get j  i32.const 2  i32.shl  i32.add  f32.load  f32x4.splat  local.set xj
          local.get a0  local.get xj  local.get row  v128.load  f32x4.mul  f32x4.add  local.set a0
          local.get a1  local.get xj  local.get row  v128.load offset=16  f32x4.mul  f32x4.add  local.set a1
          local.get a2  local.get xj  local.get row  v128.load offset=32  f32x4.mul  f32x4.add  local.set a2
          local.get a3  local.get xj  local.get row  v128.load offset=48  f32x4.mul  f32x4.add  local.set a3
          local.get row  local.get stride  i32.add  local.set row
          local.get j  i32.const 1  i32.add  local.set j  br $lj
        end  end
        local.get y  local.get k  i32.const 4  i32.shl  i32.add  local.tee a  local.get a0  v128.store
        local.get a  local.get a1  v128.store offset=16
        local.get a  local.get a2  v128.store offset=32
        local.get a  local.get a3  v128.store offset=48
        local.get k  i32.const 4  i32.add  local.set k  br $lg
      end  end
      block $dk  loop $lk
        local.get k  local.get dp4  i32.ge_s  br_if $dk
        local.get b  local.get k  i32.const 4  i32.shl  i32.add  v128.load  local.set a0
        local.get W  local.get k  i32.const 4  i32.shl  i32.add  local.set row
        i32.const 0  local.set j
        block $dj  loop $lj
          local.get j  local.get dp  i32.ge_s  br_if $dj
          local.get a0  local.get x  local.get j  i32.const 2  i32.shl  i32.add  f32.load  f32x4.splat  local.get row  v128.load  f32x4.mul  f32x4.add  local.set a0
          local.get row  local.get stride  i32.add  local.set row
          local.get j  i32.const 1  i32.add  local.set j  br $lj
        end  end
        local.get y  local.get k  i32.const 4  i32.shl  i32.add  local.get a0  v128.store
        local.get k  i32.const 1  i32.add  local.set k  br $lk
      end  end`,
  },
  {
    // dst[0 .. dp) <- max(a + b + c, 0)
    name: 'relu3', params: [['a', 'i32'], ['b', 'i32'], ['c', 'i32'], ['dst', 'i32'], ['dp4', 'i32']],
    locals: [['k', 'i32'], ['off', 'i32']],
    body: `
      i32.const 0  local.set k
      block $dk  loop $lk
        local.get k  local.get dp4  i32.ge_s  br_if $dk
        local.get k  i32.const 4  i32.shl  local.set off
        local.get dst  local.get off  i32.add
        local.get a  local.get off  i32.add  v128.load
        local.get b  local.get off  i32.add  v128.load  f32x4.add
        local.get c  local.get off  i32.add  v128.load  f32x4.add
        f32.const 0  f32x4.splat  f32x4.max
        v128.store
        local.get k  i32.const 1  i32.add  local.set k  br $lk
      end  end`,
  },
  {
    // base[rows[s] ..] += w[s] x for s < n (gradient rows of neighbours)
    name: 'scatter', params: [['w', 'i32'], ['rows', 'i32'], ['n', 'i32'], ['x', 'i32'], ['base', 'i32'], ['dp4', 'i32']],
    locals: [['s', 'i32'], ['k', 'i32'], ['ws', 'v128'], ['dst', 'i32'], ['xk', 'i32']],
    body: `
      block $ds  loop $ls
        local.get s  local.get n  i32.ge_s  br_if $ds
        local.get w  local.get s  i32.const 2  i32.shl  i32.add  f32.load  f32x4.splat  local.set ws
        local.get base  local.get rows  local.get s  i32.const 2  i32.shl  i32.add  i32.load  i32.add  local.set dst
        local.get x  local.set xk
        i32.const 0  local.set k
        block $dk  loop $lk
          local.get k  local.get dp4  i32.ge_s  br_if $dk
          local.get dst  local.get dst  v128.load  local.get ws  local.get xk  v128.load  f32x4.mul  f32x4.add  v128.store
          local.get dst  i32.const 16  i32.add  local.set dst
          local.get xk  i32.const 16  i32.add  local.set xk
          local.get k  i32.const 1  i32.add  local.set k  br $lk
        end  end
        local.get s  i32.const 1  i32.add  local.set s  br $ls
      end  end`,
  },
];
