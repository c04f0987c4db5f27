// The wasm Identity that shares memory (core/kernels/wasm-identity.ts) against tfjs's own, which copies: the
// same values, one data buffer fewer per clone, correct freeing when either tensor goes first, and the same
// gradients through the tape (which clones what each kernel's gradient saves).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import {
  registerWasmIdentity,
  unregisterWasmIdentity,
  wasmIdentityInstalled,
} from '../../src/core/kernels/wasm-identity';
import { randomNormals } from './models-fixtures';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  expect(tf.getBackend()).toBe('wasm');
});

describe('Identity on wasm', () => {
  it('shares the input memory where tfjs own kernel copies it', async () => {
    const x = tf.tensor2d(randomNormals(6 * 5, 1, 31), [6, 5]);
    const values = await x.data();
    for (const shared of [false, true]) {
      if (shared) registerWasmIdentity();
      else unregisterWasmIdentity();
      expect(wasmIdentityInstalled()).toBe(shared);
      const buffers = tf.memory().numDataBuffers;
      const y = tf.clone(x);
      expect(tf.memory().numDataBuffers).toBe(buffers + (shared ? 0 : 1));
      expect(Array.from(await y.data())).toEqual(Array.from(values));
      y.dispose();
      expect(tf.memory().numDataBuffers).toBe(buffers);
    }
    x.dispose();
  });

  it('keeps the memory until the last tensor on it is disposed', async () => {
    registerWasmIdentity();
    const before = tf.memory();
    const x = tf.tensor1d([1, 2, 3, 4]);
    const y = tf.clone(x);
    x.dispose();
    // y still reads x's values after x is gone; a fresh tensor does not land on the freed memory.
    const z = tf.tensor1d([9, 9, 9, 9]);
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
    y.dispose();
    z.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
  });

  it('leaves gradients as tfjs own kernel gives them, and no tensor behind', async () => {
    const x = tf.tensor2d(randomNormals(8 * 4, 1, 32), [8, 4]);
    const w = tf.tensor2d(randomNormals(4 * 3, 1, 33), [4, 3]);
    const f = (xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.square(tf.tanh(tf.matMul(tf.mul(xi, xi), wi))));
    const grads = async () => {
      const before = tf.memory();
      const [gx, gw] = tf.grads(f)([x, w]);
      const out = [Array.from(await gx!.data()), Array.from(await gw!.data())];
      tf.dispose([gx!, gw!]);
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
      return out;
    };
    unregisterWasmIdentity();
    const stock = await grads();
    registerWasmIdentity();
    const shared = await grads();
    expect(shared).toEqual(stock);
    expect(Math.max(...stock[1]!.map(Math.abs))).toBeGreaterThan(0.1);
    tf.dispose([x, w]);
  });

  it('hands strings to tfjs own kernel', () => {
    registerWasmIdentity();
    const s = tf.tensor1d(['a', 'b']);
    const c = tf.clone(s);
    expect(c.dataSync()).toEqual(['a', 'b']);
    tf.dispose([s, c]);
  });
});
