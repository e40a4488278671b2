import { RecentWindow } from './recent-window';

describe('RecentWindow', () => {
  it('counts only the last `size` events, grows with the catalogue, and round-trips its state', () => {
    const w = new RecentWindow(3, 2);
    w.remember(Int32Array.of(0, 1, 1, 1), 2); // the last 3 are 1, 1, 1
    expect(Array.from(w.counts)).toEqual([0, 3]);
    w.remember(Int32Array.of(2, 0), 3); // window: 1, 2, 0
    expect(Array.from(w.counts)).toEqual([1, 1, 1]);
    expect(Array.from(w.top(2))).toEqual([0, 1]); // ties: the lower id first
    const s = w.toState();
    const again = RecentWindow.fromState(s.header, s.ring.slice(), 3, 'test');
    expect(Array.from(again.counts)).toEqual([1, 1, 1]);
    again.remember(Int32Array.of(2), 3); // drops the oldest (1)
    expect(Array.from(again.counts)).toEqual([1, 0, 2]);
    expect(() => RecentWindow.fromState({ window: 3, ringPos: 3, ringFilled: 3 }, s.ring, 3, 'test')).toThrow('test: bytes must hold a consistent recent window, got position 3 and fill 3 of 3');
    expect(() => RecentWindow.fromState(s.header, Int32Array.of(0, 9, 1), 3, 'test')).toThrow('test: recent window entries must be item ids in [0, 3), got 9');
  });
});
