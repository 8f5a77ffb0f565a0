// Date.now() has millisecond resolution but nats-server prints microseconds. A monotonic clock
// supplies the sub-millisecond part; it is re-anchored whenever it leaves the wall-clock millisecond
// (clock adjustments, drift), so the result never disagrees with Date.now() by a millisecond or more.
let monotonicToWall = Date.now() - performance.now();

/** Wall-clock time in milliseconds since the epoch, with a sub-millisecond fraction. */
export function wallClockMs(): number {
  const coarse = Date.now();
  const precise = performance.now() + monotonicToWall;
  if (precise >= coarse && precise < coarse + 1) return precise;
  monotonicToWall = coarse - performance.now();
  return coarse;
}
