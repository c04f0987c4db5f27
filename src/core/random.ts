// A small seedable pseudo-random generator (sfc32) whose whole state is four 32-bit integers, so a run's
// randomness (shuffling, dropout seeds, head initialisation) can be saved in a checkpoint and resumed exactly.
// Math.random cannot be seeded; tfjs' own seeds cover single ops, not a run.

export type RngState = [number, number, number, number];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(state: RngState) {
    [this.a, this.b, this.c, this.d] = state.map((x) => x >>> 0) as RngState;
  }

  /** The next 32-bit unsigned integer (sfc32: small, fast, passes PractRand to 2^40 bytes). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n), without modulo bias. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296)
      throw new RangeError(`nextInt needs 1 ≤ n ≤ 2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A standard normal sample (Box–Muller), e.g. for initialising a classification head. */
  nextGaussian(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A copy of the state, plain numbers, to store in a checkpoint. */
  getState(): RngState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  setState(state: RngState): void {
    [this.a, this.b, this.c, this.d] = state.map((x) => x >>> 0) as RngState;
  }
}

/** A generator seeded from one integer; the first outputs are discarded so that nearby seeds diverge. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`The seed must be a finite number, got ${seed}`);
  const s = Math.trunc(seed);
  const rng = new Rng([0x9e3779b9, s >>> 0, Math.floor(s / 4294967296) >>> 0, 1]);
  for (let i = 0; i < 15; i++) rng.nextUint32();
  return rng;
}

/** A shuffled copy of `items` (Fisher–Yates); the input is left as it was. */
export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}

/** A 31-bit integer seed drawn from `rng`, for APIs that take a numeric seed (tf.dropout, tf.randomNormal). */
export function nextSeed(rng: Rng): number {
  return rng.nextUint32() >>> 1;
}

/** `count` samples of N(0, std²), e.g. a classification head's weights with the config's initializer_range. */
export function normalArray(rng: Rng, count: number, std: number): Float32Array {
  return Float32Array.from({ length: count }, () => rng.nextGaussian() * std);
}
