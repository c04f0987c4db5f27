// Our UnsortedSegmentSum kernel (tf.gather's gradient) for wasm, which has none, and cpu, whose own is slow:
// both against a plain scatter-add written here, and the embedding gradient of a model equal on wasm and cpu.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { dropoutMask, registerModelKernels, registerSegmentSumKernels } from '../../src/core/kernels';
import { buildClassifier } from '../../src/core/models/build';
import { randomNormals, tinyCheckpoint, tinyConfig, tinyInputs } from './models-fixtures';

/** The gradient of sum(gather(table, ids) * dy) with respect to table, by hand. */
function expectedGatherGrad(vocab: number, width: number, ids: number[], dy: Float32Array): Float32Array {
  const out = new Float32Array(vocab * width);
  ids.forEach((id, r) => {
    for (let j = 0; j < width; j++) out[id * width + j]! += dy[r * width + j]!;
  });
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? worst : Infinity;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  await initBackend({ prefer: 'cpu' });
});

describe('UnsortedSegmentSum on wasm and cpu', () => {
  it('is missing on wasm until registered, and registering twice changes nothing', async () => {
    await tf.setBackend('wasm');
    registerSegmentSumKernels();
    const ours = tf.getKernel(tf.UnsortedSegmentSum, 'wasm');
    tf.unregisterKernel(tf.UnsortedSegmentSum, 'wasm');
    const x = tf.ones([3, 2]);
    const ids = tf.tensor1d([0, 1, 0], 'int32');
    expect(() => tf.unsortedSegmentSum(x, ids, 2)).toThrow(
      /UnsortedSegmentSum' not registered for backend 'wasm'/,
    );
    registerSegmentSumKernels();
    registerSegmentSumKernels();
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'wasm')?.kernelFunc).toBe(ours?.kernelFunc);
    expect(Array.from(await tf.unsortedSegmentSum(x, ids, 2).data())).toEqual([2, 2, 1, 1]);
    tf.dispose([x, ids]);
  });

  it.each(['wasm', 'cpu'])(
    'gives tf.gather the right gradient on %s, repeated ids summed',
    async (backend) => {
      registerSegmentSumKernels();
      await tf.setBackend(backend);
      const vocab = 11;
      const width = 5;
      const ids = [3, 7, 3, 0, 10, 3, 7, 1];
      const table = tf.tensor2d(randomNormals(vocab * width, 1, 3), [vocab, width]);
      const dy = randomNormals(ids.length * width, 1, 4);
      const grad = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(t, tf.tensor1d(ids, 'int32')), tf.tensor2d(dy, [ids.length, width]))),
      )(table);
      expect(maxDiff(await grad.data(), expectedGatherGrad(vocab, width, ids, dy))).toBeLessThan(1e-6);
      tf.dispose([table, grad]);
    },
  );

  it.each(['wasm', 'cpu'])('sums rows of higher rank and drops out-of-range ids on %s', async (backend) => {
    registerSegmentSumKernels();
    await tf.setBackend(backend);
    const x = tf.tensor3d(
      Array.from({ length: 4 * 2 * 3 }, (_, i) => i),
      [4, 2, 3],
    );
    const out = tf.unsortedSegmentSum(x, tf.tensor1d([2, -1, 2, 0], 'int32'), 3);
    expect(out.shape).toEqual([3, 2, 3]);
    // Row 0 ← x[3]; row 1 ← nothing; row 2 ← x[0] + x[2]; x[1] (id −1) dropped.
    const expected = [18, 19, 20, 21, 22, 23, 0, 0, 0, 0, 0, 0, 12, 14, 16, 18, 20, 22];
    expect(Array.from(await out.data())).toEqual(expected);
    tf.dispose([x, out]);
  });

  it('trains embeddings on wasm: every gradient of a tiny BERT equals the cpu one', async () => {
    const grads: Record<string, Map<string, Float32Array>> = {};
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const model = buildClassifier(tinyConfig('bert'), tinyCheckpoint('bert'), { numLabels: 3, seed: 0 });
      const inputs = tinyInputs('bert');
      const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([2, 0], 'int32'), 3));
      const vars = [...model.variables.values()];
      const { grads: g } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, model.forward(inputs, { training: false })) as tf.Scalar,
        vars,
      );
      grads[backend] = new Map(
        [...model.variables].map(([name, v]) => [name, g[v.name]!.dataSync().slice() as Float32Array]),
      );
      tf.dispose([g, labels, inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
      model.dispose();
    }
    const word = grads.cpu!.get('bert.embeddings.word_embeddings.weight')!;
    expect(word.some((x) => x !== 0)).toBe(true);
    for (const [name, cpu] of grads.cpu!) {
      const scale = Math.max(...cpu.map(Math.abs), 1e-3);
      expect(maxDiff(grads.wasm!.get(name)!, cpu) / scale, name).toBeLessThan(1e-4);
    }
  });
});

describe('dropout masks from our kernel', () => {
  async function mask(backend: string, shape: number[], rate: number, key: number): Promise<Float32Array> {
    registerModelKernels();
    await tf.setBackend(backend);
    const m = dropoutMask(shape, rate, key);
    expect(m.shape).toEqual(shape);
    const values = (await m.data()) as Float32Array;
    m.dispose();
    return values;
  }

  it('gives the same mask on cpu and wasm for the same key, and another for another key', async () => {
    const cpu = await mask('cpu', [40, 50, 30], 0.1, 12345);
    expect(Array.from(await mask('wasm', [40, 50, 30], 0.1, 12345))).toEqual(Array.from(cpu));
    const other = await mask('cpu', [40, 50, 30], 0.1, 12346);
    expect(Array.from(other)).not.toEqual(Array.from(cpu));
  });

  it.each([0.1, 0.5])(
    'drops a fraction %s of elements, independently of their neighbours and of other keys',
    async (rate) => {
      const n = 200_000;
      const a = await mask('cpu', [n], rate, 777);
      const b = await mask('cpu', [n], rate, 778);
      const dropped = (v: Float32Array, i: number) => v[i] === 0;
      let zeros = 0;
      let adjacent = 0;
      let acrossKeys = 0;
      for (let i = 0; i < n; i++) {
        if (dropped(a, i)) zeros++;
        if (i > 0 && dropped(a, i) && dropped(a, i - 1)) adjacent++;
        if (dropped(a, i) && dropped(b, i)) acrossKeys++;
      }
      // Binomial standard deviations here are ≤ 0.0012; allow five of them.
      expect(Math.abs(zeros / n - rate)).toBeLessThan(0.006);
      expect(Math.abs(adjacent / (n - 1) - rate * rate)).toBeLessThan(0.006);
      expect(Math.abs(acrossKeys / n - rate * rate)).toBeLessThan(0.006);
      const scale = Math.fround(1 / (1 - rate));
      expect(a.every((v) => v === 0 || v === scale)).toBe(true);
    },
  );
});
