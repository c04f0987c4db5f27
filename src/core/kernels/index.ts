// The kernels the model engine adds to tfjs's backends.
import { registerDropoutMaskKernels } from './dropout-mask';
import { registerSegmentSumKernels } from './unsorted-segment-sum';
import { registerWasmIdentity } from './wasm-identity';
import { registerWasmMatMul } from './wasm-matmul';
import { registerWasmSum } from './wasm-sum';

export { DROPOUT_MASK_KERNEL, dropoutMask } from './dropout-mask';
export { registerSegmentSumKernels } from './unsorted-segment-sum';
export { registerWasmIdentity, unregisterWasmIdentity } from './wasm-identity';
export { registerWasmMatMul, unregisterWasmMatMul } from './wasm-matmul';
export { registerWasmSum, unregisterWasmSum } from './wasm-sum';

/**
 * Registers UnsortedSegmentSum for wasm and cpu (embedding gradients), the dropout-mask kernel for cpu, wasm
 * and webgpu, and for wasm the XNNPACK-routed BatchMatMul, the memory-sharing Identity and the leading-axes
 * Sum. Idempotent; buildClassifier and buildCausalLM call it.
 */
export function registerModelKernels(): void {
  registerSegmentSumKernels();
  registerDropoutMaskKernels();
  registerWasmMatMul();
  registerWasmIdentity();
  registerWasmSum();
}
