import { CMN_WASM_ROWS } from './cmn-wasm-rows';
import type { WasmFunction } from '@memrec/core/internal';

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
 * `sv` f32 [users] (`m_u . m_v`), `es` f32 [users] (`exp(sv - max sv)`), both filled by `score`; tables `m`, `c`,
 * `cu2` f32 [users, dp] (`cu2` = `c_v U2`); `we` f32 [items, dp] (`e_i W_2 + b_2`); `wm` f32 [dp]
 * (`m_u W_2`); `wh` f32 [hops - 2, dp, dp], `bh` f32 [hops - 2, dp] (W_h, b_h for h >= 3); `e`
 * f32 [items, dp] (item memory), `du` f32 [dp, dp] (`diag(m_u) U1`), `bu`, `v` f32 [dp]; scratch `p`
 * f32 [largest neighbourhood + 4], `z` f32 [max(dp, 16)], `o`, `zp`, `g` f32 [dp]; `zeros` f32 [dp]
 * of zeros; result `out` f32 [items]. `score` first fills `sv` (`m_u . m_v` for the `U` users, rows
 * at `allRows` i32 [U] byte offsets into `m`, query `mu` f32 [max(dp, 16)]) and `es` f32 [U + 4].
 * The row loops, softmax included, are {@link CMN_WASM_ROWS}.
 *
 * @example
 * ```ts
 * const module = new WebAssembly.Module(assembleWasm(CMN_WASM_FUNCTIONS));
 * ```
 */
export const CMN_WASM_FUNCTIONS: WasmFunction[] = [
  ...CMN_WASM_ROWS,
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
      ['we', 'i32'], ['wm', 'i32'], ['wh', 'i32'], ['bh', 'i32'], ['e', 'i32'], ['du', 'i32'], ['bu', 'i32'], ['v', 'i32'],
      ['p', 'i32'], ['o', 'i32'], ['z', 'i32'], ['zp', 'i32'], ['g', 'i32'], ['zeros', 'i32'], ['out', 'i32'],
      ['U', 'i32'], ['mu', 'i32'], ['allRows', 'i32'],
    ],
    locals: [['i', 'i32'], ['s0', 'i32'], ['n', 'i32'], ['s', 'i32'], ['h', 'i32'], ['rows', 'i32'], ['row', 'i32'], ['k', 'i32'], ['off', 'i32'], ['acc', 'v128'], ['stride', 'i32'], ['inv', 'f32']],
    body: `
      local.get dp4  i32.const 4  i32.shl  local.set stride
      ;; the user's terms: sv_v = m_u . m_v for every user v, es = exp(sv - max sv)
      local.get mu  local.get allRows  local.get U  local.get m  local.get sv  local.get dp4  call logits
      local.set inv  ;; (the largest s_v, kept in inv for a moment)
      i32.const 0  local.set s
      block $dc  loop $lc
        local.get s  local.get U  i32.ge_s  br_if $dc
        local.get es  local.get s  i32.const 2  i32.shl  local.tee off  i32.add  local.get sv  local.get off  i32.add  f32.load  f32.store
        local.get s  i32.const 1  i32.add  local.set s  br $lc
      end  end
      local.get es  local.get U  local.get inv  call softmax  drop
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
        ;; r = v . relu((m_u * e_i) U1 + o_H U2 + b), (m_u * e_i) U1 = e_i (diag(m_u) U1) = e_i du
        local.get e  local.get i  local.get stride  i32.mul  i32.add  local.get du  local.get zeros  local.get zp  local.get dp4  call matvec
        local.get zp  local.set row
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
