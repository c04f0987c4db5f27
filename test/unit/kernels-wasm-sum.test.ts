// The wasm Sum over leading axes (core/kernels/wasm-sum.ts) against tfjs's own wasm kernel, bit for bit, and a
// float64 sum; reductions it does not take (innermost axes, all axes, integers) stay with tfjs's kernel.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import {
  leadingAxes,
  registerWasmSum,
  unregisterWasmSum,
  wasmSumInstalled,
} from '../../src/core/kernels/wasm-sum';
import { randomNormals } from './models-fixtures';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  expect(tf.getBackend()).toBe('wasm');
});

async function both(make: () => tf.Tensor): Promise<{ ours: tf.Tensor; stock: tf.Tensor }> {
  registerWasmSum();
  expect(wasmSumInstalled()).toBe(true);
  const ours = make();
  unregisterWasmSum();
  const stock = make();
  registerWasmSum();
  await Promise.all([ours.data(), stock.data()]);
  return { ours, stock };
}

describe('Sum on wasm over leading axes', () => {
  it('takes leading axes given in order, and only those', () => {
    expect(leadingAxes(0, [1024, 384])).toBe(1);
    expect(leadingAxes([0, 1], [8, 37, 24])).toBe(2);
    expect(leadingAxes([0, -2], [6, 5, 7])).toBe(2);
    expect(leadingAxes([1, 0], [6, 5, 7])).toBe(-1);
    expect(leadingAxes(1, [6, 10])).toBe(-1);
    expect(leadingAxes([0, 2], [3, 4, 5])).toBe(-1);
  });

  const cases: [string, number[], number | number[], boolean][] = [
    ['a bias gradient [rows, features] over rows', [1024, 384], 0, false],
    ['[batch, length, features] over batch and length', [8, 37, 24], [0, 1], false],
    ['negative axes', [6, 5, 7], [0, -2], false],
    ['keepDims', [9, 4, 3], [0, 1], true],
    ['one leading axis of three', [5, 6, 7], 0, true],
  ];

  it.each(cases)('%s: the same bits as tfjs own kernel', async (_, shape, axis, keepDims) => {
    const size = shape.reduce((a, b) => a * b);
    const host = randomNormals(size, 1, 41);
    const x = tf.tensor(host, shape);
    const before = tf.memory().numTensors;
    const { ours, stock } = await both(() => tf.sum(x, axis, keepDims));
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(ours.shape).toEqual(stock.shape);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(stock.dataSync()));
    // And a float64 sum of the same values, to 1e-4 relative to the sum of magnitudes.
    const cols = ours.size;
    const rows = size / cols;
    const got = ours.dataSync();
    for (let c = 0; c < cols; c += Math.max(1, Math.floor(cols / 17))) {
      let s = 0;
      let mag = 0;
      for (let r = 0; r < rows; r++) {
        s += host[r * cols + c]!;
        mag += Math.abs(host[r * cols + c]!);
      }
      expect(Math.abs(got[c]! - s)).toBeLessThan(1e-5 * mag);
    }
    tf.dispose([x, ours, stock]);
  });

  it.each([
    ['innermost axis', [6, 10], 1],
    ['every axis', [6, 10], [0, 1]],
    ['no axis', [3, 4], undefined],
    ['a middle axis', [3, 4, 5], 1],
    ['leading axes out of order', [6, 5, 7], [1, 0]],
  ] as [string, number[], number | number[] | undefined][])(
    '%s: tfjs own kernel, same result',
    async (_, shape, axis) => {
      const x = tf.tensor(
        randomNormals(
          shape.reduce((a, b) => a * b),
          1,
          42,
        ),
        shape,
      );
      const { ours, stock } = await both(() => tf.sum(x, axis));
      expect(ours.shape).toEqual(stock.shape);
      expect(Array.from(ours.dataSync())).toEqual(Array.from(stock.dataSync()));
      tf.dispose([x, ours, stock]);
    },
  );

  it('keeps integer sums as integers', async () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    const { ours } = await both(() => tf.sum(x, 0));
    expect(ours.dtype).toBe('int32');
    expect(Array.from(ours.dataSync())).toEqual([9, 12]);
    tf.dispose([x, ours]);
  });

  it('gives a broadcast bias add the same gradient as tfjs own kernel', async () => {
    const x = tf.tensor2d(randomNormals(64 * 12, 1, 43), [64, 12]);
    const b = tf.tensor1d(randomNormals(12, 1, 44));
    const grad = () => tf.grad((bi: tf.Tensor) => tf.sum(tf.square(tf.add(x, bi))))(b);
    const { ours, stock } = await both(grad);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(stock.dataSync()));
    expect(Math.max(...Array.from(ours.dataSync(), Math.abs))).toBeGreaterThan(1);
    tf.dispose([x, b, ours, stock]);
  });
});
