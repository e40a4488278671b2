import { assertIds } from '@memrec/core';
import { show } from '@memrec/core/internal';

/** Checks that `ids` is a non-empty `Int32Array` of ids in [0, bound); errors name `fn` and `arg`. */
export function checkIds(fn: string, arg: string, ids: unknown, bound: number, allowEmpty = false): asserts ids is Int32Array {
  if (!(ids instanceof Int32Array)) throw new Error(`${fn}: ${arg} must be an Int32Array, got ${show(ids)}`);
  if (!allowEmpty && ids.length === 0) throw new Error(`${fn}: ${arg} must be non-empty, got length 0`);
  assertIds(fn, arg, ids, bound);
}

/** Checks that `ids` holds `per` ids for each of `b` rows and returns `per`. */
export function checkPerRow(fn: string, arg: string, ids: Int32Array, b: number, what: string): number {
  const per = ids.length / b;
  if (!Number.isInteger(per) || per < 1) {
    throw new Error(`${fn}: ${arg} must have length users.length * ${what} (a positive multiple of ${b}), got ${ids.length}`);
  }
  return per;
}
