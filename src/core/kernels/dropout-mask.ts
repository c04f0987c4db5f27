// Dropout masks made where the tensor lives, from a counter-based hash: element i of a mask with key k is kept
// when pcg(pcg(i) ^ k) >> 8 ≥ rate · 2²⁴. tf.dropout instead draws every element on the host with seedrandom
// (≈ 20 ns each, measured) and uploads the mask; a BERT-base step with batch 32 × 128 tokens needs ~150 M of
// them. The same 32-bit integer arithmetic runs in WGSL on webgpu and in JS on cpu and wasm, so a key gives
// the same mask on every backend.
import * as tf from '@tensorflow/tfjs';

export const DROPOUT_MASK_KERNEL = 'WebTuneDropoutMask';

interface MaskAttrs {
  size: number;
  /** The per-call key (a 32-bit integer). */
  key: number;
  /** Elements whose 24-bit hash is below this are dropped: round(rate · 2²⁴). */
  threshold: number;
  /** The value of kept elements, 1 / (1 − rate), as a float32. */
  scale: number;
}

/** The PCG output permutation (O'Neill; the hash form of Jarzynski & Olano), on unsigned 32-bit integers. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

export function fillMask(out: Float32Array, { key, threshold, scale }: MaskAttrs): void {
  for (let i = 0; i < out.length; i++) {
    out[i] = pcgHash(pcgHash(i) ^ key) >>> 8 >= threshold ? scale : 0;
  }
}

function attrsOf(args: { attrs?: Record<string, unknown> }): MaskAttrs {
  const a = args.attrs ?? {};
  return { size: Number(a.size), key: Number(a.key), threshold: Number(a.threshold), scale: Number(a.scale) };
}

function cpuKernel(args: { backend: unknown; attrs?: Record<string, unknown> }): tf.TensorInfo {
  const backend = args.backend as {
    makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo;
  };
  const attrs = attrsOf(args);
  const values = new Float32Array(attrs.size);
  fillMask(values, attrs);
  return backend.makeTensorInfo([attrs.size], 'float32', values);
}

function wasmKernel(args: { backend: unknown; attrs?: Record<string, unknown> }): tf.TensorInfo {
  const backend = args.backend as {
    makeOutput(s: number[], d: tf.DataType): tf.TensorInfo;
    typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  };
  const attrs = attrsOf(args);
  const out = backend.makeOutput([attrs.size], 'float32');
  fillMask(backend.typedArrayFromHeap(out), attrs);
  return out;
}

/** A WebGPU program in the shape tfjs-backend-webgpu runs (flat dispatch, `main(index)`, named uniforms). */
class DropoutMaskProgram {
  variableNames: string[] = [];
  outputShape: number[];
  uniforms = 'key : u32, threshold : u32, scale : f32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  dispatchLayout: { x: number[] } = { x: [0] };
  dispatch: [number, number, number];
  shaderKey = 'webtuneDropoutMask';

  constructor(size: number) {
    this.outputShape = [size];
    this.dispatch = [Math.ceil(size / 64), 1, 1];
  }

  getUserCode(): string {
    return `
      fn pcgHash(v : u32) -> u32 {
        let state = v * 747796405u + 2891336453u;
        let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
        return (word >> 22u) ^ word;
      }

      fn main(index : i32) {
        if (index < uniforms.size) {
          let h = pcgHash(pcgHash(u32(index)) ^ uniforms.key);
          var value = 0.0;
          if ((h >> 8u) >= uniforms.threshold) {
            value = uniforms.scale;
          }
          setOutputAtIndex(index, value);
        }
      }
    `;
  }
}

function webgpuKernel(args: { backend: unknown; attrs?: Record<string, unknown> }): tf.TensorInfo {
  const backend = args.backend as {
    runWebGPUProgram(
      program: DropoutMaskProgram,
      inputs: tf.TensorInfo[],
      dtype: tf.DataType,
      uniforms: { type: string; data: number[] }[],
    ): tf.TensorInfo;
  };
  const { size, key, threshold, scale } = attrsOf(args);
  return backend.runWebGPUProgram(new DropoutMaskProgram(size), [], 'float32', [
    { type: 'uint32', data: [key] },
    { type: 'uint32', data: [threshold] },
    { type: 'float32', data: [scale] },
  ]);
}

const KERNELS: Record<string, tf.KernelFunc> = {
  cpu: cpuKernel as unknown as tf.KernelFunc,
  wasm: wasmKernel as unknown as tf.KernelFunc,
  webgpu: webgpuKernel as unknown as tf.KernelFunc,
};

/** Registers the mask kernel for cpu, wasm and webgpu; idempotent. */
export function registerDropoutMaskKernels(): void {
  for (const [backendName, kernelFunc] of Object.entries(KERNELS)) {
    if (tf.getKernel(DROPOUT_MASK_KERNEL, backendName)?.kernelFunc === kernelFunc) continue;
    tf.registerKernel({ kernelName: DROPOUT_MASK_KERNEL, backendName, kernelFunc });
  }
}

/**
 * A dropout mask of `shape`: 0 with probability `rate`, else 1 / (1 − rate), drawn from `key`. Made by the
 * current backend's kernel, or on the host and uploaded for a backend without one (webgl).
 */
export function dropoutMask(shape: number[], rate: number, key: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const attrs: MaskAttrs = {
    size,
    key: key >>> 0,
    threshold: Math.round(rate * 2 ** 24),
    scale: Math.fround(1 / (1 - rate)),
  };
  if (tf.getKernel(DROPOUT_MASK_KERNEL, tf.getBackend())) {
    return tf.tidy(() => {
      const flat = tf.engine().runKernel(DROPOUT_MASK_KERNEL, {}, { ...attrs }) as tf.Tensor;
      return tf.reshape(flat, shape);
    });
  }
  const values = new Float32Array(size);
  fillMask(values, attrs);
  return tf.tensor(values, shape, 'float32');
}
