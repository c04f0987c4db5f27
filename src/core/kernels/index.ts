// The kernels the model engine adds to tfjs's backends.
import { registerDropoutMaskKernels } from './dropout-mask';
import { registerSegmentSumKernels } from './unsorted-segment-sum';
import { registerWasmMatMul } from './wasm-matmul';

export { DROPOUT_MASK_KERNEL, dropoutMask } from './dropout-mask';
export { registerSegmentSumKernels } from './unsorted-segment-sum';
export { registerWasmMatMul, unregisterWasmMatMul } from './wasm-matmul';

/**
 * Registers UnsortedSegmentSum for wasm and cpu (embedding gradients), the dropout-mask kernel for cpu,
 * wasm and webgpu, and the XNNPACK-routed BatchMatMul for wasm. Idempotent; buildClassifier calls it.
 */
export function registerModelKernels(): void {
  registerSegmentSumKernels();
  registerDropoutMaskKernels();
  registerWasmMatMul();
}
