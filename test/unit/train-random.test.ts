import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Rng, createRng, nextSeed, normalArray, shuffle } from '../../src/core/random';
import { runPython } from '../support/python';

// sfc32 written independently in Python (64-bit ints masked to 32 bits), to check our 32-bit JS arithmetic.
const SFC32_PY = `
import json, sys
a, b, c, d = json.load(sys.stdin)
M = 0xFFFFFFFF
out = []
for _ in range(40):
    t = (a + b + d) & M
    d = (d + 1) & M
    a = b ^ (b >> 9)
    b = (c + (c << 3)) & M
    c = ((c << 21) | (c >> 11)) & M
    c = (c + t) & M
    out.append(t)
json.dump(out, sys.stdout)
`;

describe('seeded random generator', () => {
  it('is sfc32, bit for bit, against an independent Python implementation', () => {
    const state: [number, number, number, number] = [0xdeadbeef, 0x12345678, 0xffffffff, 7];
    const expected = runPython<number[]>(SFC32_PY, state);
    const rng = new Rng(state);
    expect(expected.map(() => rng.nextUint32())).toEqual(expected);
  });

  it('replays exactly from a saved state, and different seeds give different streams', () => {
    const rng = createRng(42);
    for (let i = 0; i < 5; i++) rng.next();
    const saved = rng.getState();
    const a = Array.from({ length: 10 }, () => rng.next());
    const replay = new Rng(saved);
    expect(Array.from({ length: 10 }, () => replay.next())).toEqual(a);
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
    const s1 = createRng(1).nextUint32();
    const s2 = createRng(2).nextUint32();
    expect(s1).not.toBe(s2);
    expect(createRng(42).nextUint32()).toBe(createRng(42).nextUint32());
  });

  it('draws floats in [0, 1), unbiased integers in range, 31-bit seeds, and normal samples', () => {
    const rng = createRng(3);
    const counts = [0, 0, 0];
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < 30000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      counts[rng.nextInt(3)]! += 1;
      const s = nextSeed(rng);
      expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
      const g = rng.nextGaussian();
      sum += g;
      sumSq += g * g;
    }
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
    expect(Math.abs(sum / 30000)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / 30000 - 1)).toBeLessThan(0.05);
    const head = normalArray(createRng(4), 20000, 0.02);
    const mean = head.reduce((a, b) => a + b, 0) / head.length;
    const std = Math.sqrt(head.reduce((a, b) => a + (b - mean) ** 2, 0) / head.length);
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.001);
    expect(Array.from(normalArray(createRng(4), 5, 0.02))).toEqual(Array.from(head.subarray(0, 5)));
    expect(() => rng.nextInt(0)).toThrow('nextInt needs 1 ≤ n ≤ 2^32, got 0');
    expect(() => createRng(Number.NaN)).toThrow('The seed must be a finite number, got NaN');
  });

  it('shuffles into a permutation, leaves the input alone, and depends only on the seed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 60 }), fc.integer(), (items, seed) => {
        const copy = items.slice();
        const out = shuffle(items, createRng(seed));
        expect(items).toEqual(copy);
        expect(out.slice().sort((a, b) => a - b)).toEqual(copy.sort((a, b) => a - b));
        expect(shuffle(items, createRng(seed))).toEqual(out);
      }),
    );
    // Every position is reachable: each of 4 items lands first about a quarter of the time.
    const first = [0, 0, 0, 0];
    const rng = createRng(9);
    for (let i = 0; i < 8000; i++) first[shuffle([0, 1, 2, 3], rng)[0]!]! += 1;
    for (const c of first) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });
});
