// Integers written as ASCII decimal straight into a byte buffer, without making a string:
// the formatted half of a map dump is mostly numbers, and String(n) plus encoding costs
// more than the digits themselves. Every function writes at `at` and returns the end; the
// caller guarantees room (20 digits and a sign at most).

const ZERO = 0x30;
const MINUS = 0x2d;

/** "00" … "99": two digits per division. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

/** v: an integer in [0, 2^32). */
export function writeU32(out: Uint8Array, at: number, v: number): number {
  // The digit count by comparisons written out: a function of its own was a call per number
  // where V8 does not inline (the BTF printers run with inlining off).
  let end = at + 1;
  if (v >= 10) end++;
  if (v >= 100) end++;
  if (v >= 1000) {
    end++;
    if (v >= 10000) end++;
    if (v >= 100000) end++;
    if (v >= 1000000) end++;
    if (v >= 10000000) end++;
    if (v >= 100000000) end++;
    if (v >= 1000000000) end++;
  }
  let p = end;
  while (v >= 100) {
    // An unsigned 32-bit division: compiled to a multiply, unlike Math.floor's float divide.
    const q = (v / 100) >>> 0;
    const pair = (v - q * 100) << 1;
    out[--p] = PAIRS[pair + 1]!;
    out[--p] = PAIRS[pair]!;
    v = q;
  }
  if (v >= 10) {
    out[--p] = PAIRS[(v << 1) + 1]!;
    out[--p] = PAIRS[v << 1]!;
  } else {
    out[--p] = ZERO + v;
  }
  return end;
}

/** v in [0, 10^4): exactly 4 digits. */
function writeFour(out: Uint8Array, at: number, v: number): void {
  const q = (v / 100) | 0;
  let p = q << 1;
  out[at] = PAIRS[p]!;
  out[at + 1] = PAIRS[p + 1]!;
  p = (v - q * 100) << 1;
  out[at + 2] = PAIRS[p]!;
  out[at + 3] = PAIRS[p + 1]!;
}

/** v in [0, 10^8): exactly 8 digits. */
function writeEight(out: Uint8Array, at: number, v: number): void {
  const high = (v / 10000) | 0;
  writeFour(out, at, high);
  writeFour(out, at + 4, v - high * 10000);
}

/** The unsigned 64-bit integer hi·2^32 + lo (hi, lo in [0, 2^32)). */
export function writeU64(out: Uint8Array, at: number, lo: number, hi: number): number {
  if (hi === 0) return writeU32(out, at, lo);
  if (hi < 0x200000) {
    // Below 2^53: exact in a double.
    const v = hi * 4294967296 + lo;
    const high = Math.floor(v / 1e8);
    at = writeU32(out, at, high);
    writeEight(out, at, v - high * 1e8);
    return at + 8;
  }
  // Divide by 10^4 over 16-bit limbs: every step fits an int32, so the divisions by a
  // constant compile to multiplications. The quotient is below 2^51, exact in a double.
  let r = hi >>> 16;
  const q3 = (r / 10000) | 0;
  r = ((r - q3 * 10000) << 16) | (hi & 0xffff);
  const q2 = (r / 10000) | 0;
  r = ((r - q2 * 10000) << 16) | (lo >>> 16);
  const q1 = (r / 10000) | 0;
  r = ((r - q1 * 10000) << 16) | (lo & 0xffff);
  const q0 = (r / 10000) | 0;
  r -= q0 * 10000;
  const quotient = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0;
  // At least 2^53 / 10^4 > 10^11: the quotient has more than 8 digits.
  const high = Math.floor(quotient / 1e8);
  at = writeU32(out, at, high);
  writeEight(out, at, quotient - high * 1e8);
  writeFour(out, at + 8, r);
  return at + 12;
}

/** The signed 64-bit integer whose two's complement halves are hi, lo (each in [0, 2^32)). */
export function writeI64(out: Uint8Array, at: number, lo: number, hi: number): number {
  if (hi < 0x80000000) return writeU64(out, at, lo, hi);
  out[at] = MINUS;
  const negLo = (~lo + 1) >>> 0;
  const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
  return writeU64(out, at + 1, negLo, negHi);
}

/** v: an integer in [-2^31, 2^32). */
export function writeInt(out: Uint8Array, at: number, v: number): number {
  if (v >= 0) return writeU32(out, at, v);
  out[at] = MINUS;
  return writeU32(out, at + 1, -v);
}
