import type { WasmFunction } from './wasm-asm';

/**
 * CMN's host loops as WebAssembly with 128-bit SIMD (4 float32 lanes), in the
 * flat text form {@link assembleWasm} reads. `attend` / `attendBack` are the training hops
 * ({@link HostHop}: P queries over their items' neighbours, rows given as byte offsets into
 * compact neighbour tables, forward and exact backward). `score(i0, i1, ...)` runs, for items `i0 .. i1` of
 * one user, every hop over each item's real neighbours and the output layer from the cached
 * item terms of {@link CmnScorer}. Rows are padded to `dp` (a multiple of 4) columns with zeros,
 * so padded lanes add nothing. Pointers are byte offsets into the imported memory:
 * `offs` i32 [items + 1] (slot ranges); per slot `svOff` i32 (neighbour id * 4), `rowOff` i32
 * (neighbour id * dp * 4), `A` f32 (`e_i . m_v`), `ea` f32 (`exp(A - max over the item's slots)`);
 * `sv` f32 [users] (`m_u . m_v`), `es` f32 [users] (`exp(sv - max sv)`); tables `m`, `c`,
 * `cu2` f32 [users, dp] (`cu2` = `c_v U2`); `we` f32 [items, dp] (`e_i W_2 + b_2`); `wm` f32 [dp]
 * (`m_u W_2`); `wh` f32 [hops - 2, dp, dp], `bh` f32 [hops - 2, dp] (W_h, b_h for h >= 3); `at`
 * f32 [items, dp] (`(m_u * e_i) U1`); `bu`, `v` f32 [dp]; scratch `p` f32 [largest neighbourhood + 4],
 * `z` f32 [max(dp, 16)], `o`, `zp`, `g` f32 [dp]; `zeros` f32 [dp] of zeros; result `out` f32 [items].
 * The exponential is `2^t poly(r)`, `x = t ln2 + r`, with the degree-6 Taylor polynomial on
 * |r| <= ln2 / 2 (relative error below 3e-7); a logit more than 87 below its row's maximum counts
 * as 87 below (weight below 2e-38 instead of less).
 */
export const CMN_WASM_FUNCTIONS: WasmFunction[] = [
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
    // unnormalised hop-1 weights of slots s0 .. s0 + n (n >= 1), returning their sum:
    // p_s = ES[v] EA[s] (exp(s_v - max_u) exp(A_s - max_i), cached); if that sum underflows
    // (below 1e-30), exp(s_v + A_s - max) directly
    name: 'hop1', params: [['p', 'i32'], ['n', 'i32'], ['s0', 'i32'], ['svOff', 'i32'], ['es', 'i32'], ['ea', 'i32'], ['sv', 'i32'], ['A', 'i32']], result: 'f32',
    locals: [['s', 'i32'], ['off', 'i32'], ['v', 'i32'], ['w', 'f32'], ['sum', 'f32'], ['mx', 'f32']],
    body: `
      block $d1  loop $l1
        local.get s  local.get n  i32.ge_s  br_if $d1
        local.get svOff  local.get s0  local.get s  i32.add  i32.const 2  i32.shl  local.tee off  i32.add  i32.load  local.set v
        local.get p  local.get s  i32.const 2  i32.shl  i32.add
        local.get es  local.get v  i32.add  f32.load  local.get ea  local.get off  i32.add  f32.load  f32.mul  local.tee w
        f32.store
        local.get sum  local.get w  f32.add  local.set sum
        local.get s  i32.const 1  i32.add  local.set s  br $l1
      end  end
      local.get sum  f32.const 1e-30  f32.gt
      if  local.get sum  return  end
      f32.const -Infinity  local.set mx
      i32.const 0  local.set s
      block $d2  loop $l2
        local.get s  local.get n  i32.ge_s  br_if $d2
        local.get svOff  local.get s0  local.get s  i32.add  i32.const 2  i32.shl  local.tee off  i32.add  i32.load  local.set v
        local.get p  local.get s  i32.const 2  i32.shl  i32.add
        local.get sv  local.get v  i32.add  f32.load  local.get A  local.get off  i32.add  f32.load  f32.add  local.tee w
        f32.store
        local.get mx  local.get w  f32.max  local.set mx
        local.get s  i32.const 1  i32.add  local.set s  br $l2
      end  end
      local.get p  local.get n  local.get mx  call softmax`,
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
    // y[0 .. dp) <- x[0 .. dp) W + b, W [dp, dp] row-major
    name: 'matvec', params: [['x', 'i32'], ['W', 'i32'], ['b', 'i32'], ['y', 'i32'], ['dp4', 'i32']],
    locals: [['j', 'i32'], ['k', 'i32'], ['xj', 'v128'], ['a', 'i32'], ['row', 'i32']],
    body: `
      i32.const 0  local.set k
      block $db  loop $lb
        local.get k  local.get dp4  i32.ge_s  br_if $db
        local.get y  local.get k  i32.const 4  i32.shl  local.tee a  i32.add  local.get b  local.get a  i32.add  v128.load  v128.store
        local.get k  i32.const 1  i32.add  local.set k  br $lb
      end  end
      local.get W  local.set row
      i32.const 0  local.set j
      block $dj  loop $lj
        local.get j  local.get dp4  i32.const 2  i32.shl  i32.ge_s  br_if $dj
        local.get x  local.get j  i32.const 2  i32.shl  i32.add  f32.load  f32x4.splat  local.set xj
        local.get y  local.set a
        i32.const 0  local.set k
        block $dk  loop $lk
          local.get k  local.get dp4  i32.ge_s  br_if $dk
          local.get a  local.get a  v128.load  local.get xj  local.get row  v128.load  f32x4.mul  f32x4.add  v128.store
          local.get a  i32.const 16  i32.add  local.set a
          local.get row  i32.const 16  i32.add  local.set row
          local.get k  i32.const 1  i32.add  local.set k  br $lk
        end  end
        local.get j  i32.const 1  i32.add  local.set j  br $lj
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
  {
    // training forward, P queries: o_t = sum_s p_s C[row_s], p = softmax_s(z_t . M[row_s]) over
    // the slots start[t] .. start[t + 1]; the normalised p is kept for the backward pass
    name: 'attend', export: true,
    params: [['P', 'i32'], ['start', 'i32'], ['rowOff', 'i32'], ['M', 'i32'], ['C', 'i32'], ['z', 'i32'], ['o', 'i32'], ['p', 'i32'], ['dp4', 'i32']],
    locals: [['t', 'i32'], ['s0', 'i32'], ['n', 'i32'], ['s', 'i32'], ['pt', 'i32'], ['rows', 'i32'], ['stride', 'i32'], ['inv', 'f32'], ['a', 'i32']],
    body: `
      local.get dp4  i32.const 4  i32.shl  local.set stride
      block $done  loop $pair
        local.get t  local.get P  i32.ge_s  br_if $done
        local.get start  local.get t  i32.const 2  i32.shl  i32.add  local.tee a  i32.load  local.set s0
        local.get a  i32.load offset=4  local.get s0  i32.sub  local.set n
        local.get p  local.get s0  i32.const 2  i32.shl  local.tee a  i32.add  local.set pt
        local.get rowOff  local.get a  i32.add  local.set rows
        f32.const 0  local.set inv
        local.get n
        if
          f32.const 1
          local.get pt  local.get n
          local.get z  local.get t  local.get stride  i32.mul  i32.add  local.get rows  local.get n  local.get M  local.get pt  local.get dp4  call logits
          call softmax
          f32.div  local.set inv
          i32.const 0  local.set s
          block $dn  loop $ln
            local.get s  local.get n  i32.ge_s  br_if $dn
            local.get pt  local.get s  i32.const 2  i32.shl  i32.add  local.tee a  local.get a  f32.load  local.get inv  f32.mul  f32.store
            local.get s  i32.const 1  i32.add  local.set s  br $ln
          end  end
        end
        local.get pt  local.get rows  local.get n  local.get C  local.get o  local.get t  local.get stride  i32.mul  i32.add  local.get dp4  f32.const 1  call wsum
        local.get t  i32.const 1  i32.add  local.set t  br $pair
      end  end`,
  },
  {
    // training backward of attend: given g = dL/do, dz_t = sum_s dq_s M[row_s] with
    // dq_s = p_s (g_t . C[row_s] - sum_r p_r g_t . C[row_r]); GC[row_s] += p_s g_t, GM[row_s] += dq_s z_t
    name: 'attendBack', export: true,
    params: [['P', 'i32'], ['start', 'i32'], ['rowOff', 'i32'], ['M', 'i32'], ['C', 'i32'], ['z', 'i32'], ['g', 'i32'], ['p', 'i32'],
      ['dz', 'i32'], ['GM', 'i32'], ['GC', 'i32'], ['tmp', 'i32'], ['dp4', 'i32']],
    locals: [['t', 'i32'], ['s0', 'i32'], ['n', 'i32'], ['s', 'i32'], ['pt', 'i32'], ['rows', 'i32'], ['stride', 'i32'], ['dot', 'f32'], ['a', 'i32'], ['gt', 'i32'], ['zt', 'i32']],
    body: `
      local.get dp4  i32.const 4  i32.shl  local.set stride
      block $done  loop $pair
        local.get t  local.get P  i32.ge_s  br_if $done
        local.get start  local.get t  i32.const 2  i32.shl  i32.add  local.tee a  i32.load  local.set s0
        local.get a  i32.load offset=4  local.get s0  i32.sub  local.set n
        local.get p  local.get s0  i32.const 2  i32.shl  local.tee a  i32.add  local.set pt
        local.get rowOff  local.get a  i32.add  local.set rows
        local.get g  local.get t  local.get stride  i32.mul  local.tee a  i32.add  local.set gt
        local.get z  local.get a  i32.add  local.set zt
        local.get n
        if
          local.get gt  local.get rows  local.get n  local.get C  local.get tmp  local.get dp4  call logits  drop
          f32.const 0  local.set dot
          i32.const 0  local.set s
          block $d1  loop $l1
            local.get s  local.get n  i32.ge_s  br_if $d1
            local.get dot
            local.get pt  local.get s  i32.const 2  i32.shl  local.tee a  i32.add  f32.load
            local.get tmp  local.get a  i32.add  f32.load  f32.mul  f32.add  local.set dot
            local.get s  i32.const 1  i32.add  local.set s  br $l1
          end  end
          i32.const 0  local.set s
          block $d2  loop $l2
            local.get s  local.get n  i32.ge_s  br_if $d2
            local.get tmp  local.get s  i32.const 2  i32.shl  local.tee a  i32.add
            local.get pt  local.get a  i32.add  f32.load
            local.get tmp  local.get a  i32.add  f32.load  local.get dot  f32.sub  f32.mul
            f32.store
            local.get s  i32.const 1  i32.add  local.set s  br $l2
          end  end
          local.get pt  local.get rows  local.get n  local.get gt  local.get GC  local.get dp4  call scatter
          local.get tmp  local.get rows  local.get n  local.get zt  local.get GM  local.get dp4  call scatter
        end
        local.get tmp  local.get rows  local.get n  local.get M  local.get dz  local.get t  local.get stride  i32.mul  i32.add  local.get dp4  f32.const 1  call wsum
        local.get t  i32.const 1  i32.add  local.set t  br $pair
      end  end`,
  },
  {
    name: 'score', export: true,
    params: [
      ['i0', 'i32'], ['i1', 'i32'], ['hops', 'i32'], ['dp4', 'i32'],
      ['offs', 'i32'], ['svOff', 'i32'], ['rowOff', 'i32'], ['A', 'i32'], ['ea', 'i32'], ['sv', 'i32'], ['es', 'i32'], ['m', 'i32'], ['c', 'i32'], ['cu2', 'i32'],
      ['we', 'i32'], ['wm', 'i32'], ['wh', 'i32'], ['bh', 'i32'], ['at', 'i32'], ['bu', 'i32'], ['v', 'i32'],
      ['p', 'i32'], ['o', 'i32'], ['z', 'i32'], ['zp', 'i32'], ['g', 'i32'], ['zeros', 'i32'], ['out', 'i32'],
    ],
    locals: [['i', 'i32'], ['s0', 'i32'], ['n', 'i32'], ['s', 'i32'], ['h', 'i32'], ['rows', 'i32'], ['row', 'i32'], ['k', 'i32'], ['off', 'i32'], ['acc', 'v128'], ['stride', 'i32'], ['inv', 'f32']],
    body: `
      local.get dp4  i32.const 4  i32.shl  local.set stride
      local.get i0  local.set i
      block $done  loop $item
        local.get i  local.get i1  i32.ge_s  br_if $done
        ;; slots s0 .. s0 + n of item i
        local.get offs  local.get i  i32.const 2  i32.shl  i32.add  local.tee off  i32.load  local.set s0
        local.get off  i32.load offset=4  local.get s0  i32.sub  local.set n
        local.get rowOff  local.get s0  i32.const 2  i32.shl  i32.add  local.set rows
        ;; hop 1
        ;; hop 1; inv = 1 / (sum of the unnormalised weights), 0 for an empty neighbourhood
        f32.const 0  local.set inv
        local.get n
        if
          f32.const 1
          local.get p  local.get n  local.get s0  local.get svOff  local.get es  local.get ea  local.get sv  local.get A  call hop1
          f32.div  local.set inv
        end
        i32.const 1  local.set h
        block $hopsDone  loop $hop
          ;; the last hop reads c_v U2 into g, the others read c_v into o
          local.get h  local.get hops  i32.ge_s
          if
            local.get p  local.get rows  local.get n  local.get cu2  local.get g  local.get dp4  local.get inv  call wsum
            br $hopsDone
          end
          local.get p  local.get rows  local.get n  local.get c  local.get o  local.get dp4  local.get inv  call wsum
          local.get h  i32.const 1  i32.add  local.set h
          ;; z <- relu(pre + o): pre = (e_i W_2 + b_2) + m_u W_2 at h = 2, z W_h + b_h from h = 3
          local.get h  i32.const 2  i32.eq
          if
            local.get we  local.get i  local.get stride  i32.mul  i32.add  local.get wm  local.get o  local.get z  local.get dp4  call relu3
          else
            local.get z
            local.get wh  local.get h  i32.const 3  i32.sub  local.get stride  i32.mul  local.get dp4  i32.const 2  i32.shl  i32.mul  i32.add
            local.get bh  local.get h  i32.const 3  i32.sub  local.get stride  i32.mul  i32.add
            local.get zp  local.get dp4  call matvec
            local.get zp  local.get o  local.get zeros  local.get z  local.get dp4  call relu3
          end
          local.get n
          if
            f32.const 1
            local.get p  local.get n
            local.get z  local.get rows  local.get n  local.get m  local.get p  local.get dp4  call logits
            call softmax
            f32.div  local.set inv
          end
          br $hop
        end  end
        ;; r = v . relu((m_u * e_i) U1 + o_H U2 + b)
        local.get at  local.get i  local.get stride  i32.mul  i32.add  local.set row
        f32.const 0  f32x4.splat  local.set acc
        i32.const 0  local.set k
        block $dk  loop $lk
          local.get k  local.get dp4  i32.ge_s  br_if $dk
          local.get k  i32.const 4  i32.shl  local.set off
          local.get acc
          local.get row  local.get off  i32.add  v128.load
          local.get g  local.get off  i32.add  v128.load  f32x4.add
          local.get bu  local.get off  i32.add  v128.load  f32x4.add
          f32.const 0  f32x4.splat  f32x4.max
          local.get v  local.get off  i32.add  v128.load  f32x4.mul
          f32x4.add  local.set acc
          local.get k  i32.const 1  i32.add  local.set k  br $lk
        end  end
        local.get out  local.get i  i32.const 2  i32.shl  i32.add
        local.get acc  f32x4.extract_lane 0  local.get acc  f32x4.extract_lane 1  f32.add
        local.get acc  f32x4.extract_lane 2  local.get acc  f32x4.extract_lane 3  f32.add  f32.add
        f32.store
        local.get i  i32.const 1  i32.add  local.set i  br $item
      end  end`,
  },
];
