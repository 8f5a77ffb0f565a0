// Stored times are int64 nanoseconds. Reading them as two 32-bit halves and printing them with
// Number arithmetic costs a fraction of a bigint's read and toString, which matters per delivery.

const TWO_TO_32 = 4_294_967_296n;
// 2^32 = 4294 * 10^6 + 967296: the halves split exactly into millions and a remainder.
const MILLIONS_IN_TWO_TO_32 = 4294;
const REMAINDER_OF_TWO_TO_32 = 967_296;
const MILLION = 1_000_000;
const ZEROS = ['', '0', '00', '000', '0000', '00000'];

/** `high` is the signed upper 32 bits, `low` the unsigned lower 32 bits. */
export function int64FromHalves(high: number, low: number): bigint {
  return BigInt(high) * TWO_TO_32 + BigInt(low);
}

/**
 * The int64 of these halves in decimal. For a non-negative one, `high * 967296 + low` stays
 * below 2^53 (exact in a double), so the millions and the last six digits come out exact.
 */
export function int64Decimal(high: number, low: number): string {
  if (high < 0) return int64FromHalves(high, low).toString();
  const rest = high * REMAINDER_OF_TWO_TO_32 + low;
  const lastSix = rest % MILLION;
  const millions = high * MILLIONS_IN_TWO_TO_32 + (rest - lastSix) / MILLION;
  if (millions === 0) return String(lastSix);
  const digits = String(lastSix);
  return `${millions}${ZEROS[6 - digits.length]}${digits}`;
}

/** The halves of a bigint int64, for stores that keep times as bigints. */
export function int64High(value: bigint): number {
  return Number(BigInt.asIntN(32, value >> 32n));
}

export function int64Low(value: bigint): number {
  return Number(BigInt.asUintN(32, value));
}
