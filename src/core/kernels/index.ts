// The kernels the model engine adds to tfjs's backends.
import { registerDropoutMaskKernels } from './dropout-mask';
import { registerSegmentSumKernels } from './unsorted-segment-sum';

export { DROPOUT_MASK_KERNEL, dropoutMask } from './dropout-mask';
export { registerSegmentSumKernels } from './unsorted-segment-sum';

/**
 * Registers UnsortedSegmentSum for wasm and cpu (embedding gradients) and the dropout-mask kernel for cpu,
 * wasm and webgpu. Idempotent; buildClassifier calls it.
 */
export function registerModelKernels(): void {
  registerSegmentSumKernels();
  registerDropoutMaskKernels();
}
