/** What {@link candidateLoss} returns: the mean loss and its gradients with respect to the queries and the candidate rows. */
export interface CandidateLossGrads {
  loss: number;
  /** `[b * D]`. */
  dq: Float32Array;
  /** `[C * D]`. */
  dO: Float32Array;
}

/**
 * A ranking loss over shared candidates, forward and backward on the host (no tensors): row r's
 * query `q_r` (`q` is `[b * D]`) scores candidate c (`o` is `[C * D]`) by `s_rc = q_r . o_c`;
 * `pos[r]` is the column of row r's positive, `keep[r * C + c]` says which columns take part
 * (the positive and the negatives: leave out a column that holds row r's positive item again).
 * `ce`: mean over rows of `logsumexp_kept(s_r) - s_r,pos` (softmax cross-entropy, GRU4Rec's
 * `cross-entropy` with in-batch negatives); `bpr`: the mean of `softplus(s_rc - s_r,pos)` over
 * every kept negative (GRU4Rec's BPR). The tests hold both to `tf.grads` of their tensor form.
 *
 * @example
 * ```ts
 * const { loss, dq, dO } = candidateLoss(q, b, o, C, D, keep, pos, 'ce');
 * ```
 */
export function candidateLoss(q: Float32Array, b: number, o: Float32Array, C: number, D: number, keep: Uint8Array, pos: Int32Array, kind: 'bpr' | 'ce'): CandidateLossGrads {
  const dq = new Float32Array(b * D);
  const dO = new Float32Array(C * D);
  const s = new Float64Array(C);
  const dS = new Float64Array(C);
  let loss = 0;
  let negatives = 0;
  if (kind === 'bpr') for (let k = 0; k < b * C; k++) if (keep[k] && k % C !== pos[Math.floor(k / C)]) negatives++;
  for (let r = 0; r < b; r++) {
    const qo = r * D;
    for (let c = 0; c < C; c++) {
      if (!keep[r * C + c]) continue;
      let acc = 0;
      const oo = c * D;
      for (let d = 0; d < D; d++) acc += q[qo + d] * o[oo + d];
      s[c] = acc;
    }
    dS.fill(0);
    const p = pos[r];
    if (kind === 'ce') {
      let mx = -Infinity;
      for (let c = 0; c < C; c++) if (keep[r * C + c] && s[c] > mx) mx = s[c];
      let z = 0;
      for (let c = 0; c < C; c++) if (keep[r * C + c]) z += Math.exp(s[c] - mx);
      loss += mx + Math.log(z) - s[p];
      for (let c = 0; c < C; c++) if (keep[r * C + c]) dS[c] = Math.exp(s[c] - mx) / z / b;
      dS[p] -= 1 / b;
    } else {
      if (negatives === 0) continue;
      for (let c = 0; c < C; c++) {
        if (c === p || !keep[r * C + c]) continue;
        const x = s[c] - s[p];
        loss += x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
        const g = 1 / (1 + Math.exp(-x)) / negatives;
        dS[c] += g;
        dS[p] -= g;
      }
    }
    for (let c = 0; c < C; c++) {
      const g = dS[c];
      if (g === 0) continue;
      const oo = c * D;
      for (let d = 0; d < D; d++) {
        dq[qo + d] += g * o[oo + d];
        dO[oo + d] += g * q[qo + d];
      }
    }
  }
  return { loss: kind === 'ce' ? loss / b : negatives > 0 ? loss / negatives : 0, dq, dO };
}
