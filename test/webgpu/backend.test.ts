import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';

const A = Array.from({ length: 48 * 40 }, (_, i) => Math.sin(i * 0.37) * 2);
const B = Array.from({ length: 40 * 24 }, (_, i) => Math.cos(i * 0.11));

// The product in double precision, independent of tfjs.
function referenceMatMul(): number[] {
  const out: number[] = [];
  for (let r = 0; r < 48; r++)
    for (let c = 0; c < 24; c++) {
      let sum = 0;
      for (let k = 0; k < 40; k++) sum += A[r * 40 + k]! * B[k * 24 + c]!;
      out.push(sum);
    }
  return out;
}

async function compute(backend: 'webgpu' | 'cpu'): Promise<{ matmul: Float32Array; softmax: Float32Array }> {
  await tf.setBackend(backend);
  const a = tf.tensor2d(A, [48, 40]);
  const b = tf.tensor2d(B, [40, 24]);
  const product = tf.matMul(a, b);
  const softmax = tf.softmax(product);
  const out = {
    matmul: (await product.data()) as Float32Array,
    softmax: (await softmax.data()) as Float32Array,
  };
  tf.dispose([a, b, product, softmax]);
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('tfjs on a real WebGPU device in Node', () => {
  it('initialises webgpu with an adapter and matches the cpu backend and a plain-JS product', async () => {
    const info = await initBackend({ prefer: 'webgpu' });
    expect(info.name).toBe('webgpu');
    expect(info.fallbacks).toEqual([]);
    expect(info.adapter).toBeTruthy();

    const gpu = await compute('webgpu');
    const cpu = await compute('cpu');
    expect(maxDiff(gpu.matmul, referenceMatMul())).toBeLessThan(1e-4);
    expect(maxDiff(gpu.matmul, cpu.matmul)).toBeLessThan(1e-4);
    expect(maxDiff(gpu.softmax, cpu.softmax)).toBeLessThan(1e-6);
  });
});
