// Putting one of our kernels in place of one of tfjs-backend-wasm's, and back: the three wasm overrides
// (BatchMatMul, Identity, Sum) each hand some cases back to tfjs's own kernel, and the benchmarks and tests put
// tfjs's back to measure and compare side by side.
import * as tf from '@tensorflow/tfjs';

export interface WasmKernelOverride {
  /** Whether the wasm backend currently runs our kernel. */
  installed(): boolean;
  /** Puts ours in place (idempotent; nothing happens where the wasm backend is not loaded). */
  install(): void;
  /** Puts tfjs's own back. */
  uninstall(): void;
  /** Runs tfjs's own kernel on these arguments: for the cases ours hands back. */
  original(args: unknown): tf.TensorInfo;
}

export function wasmKernelOverride(
  kernelName: string,
  kernelFunc: (args: never) => unknown,
): WasmKernelOverride {
  const ours = kernelFunc as unknown as tf.KernelFunc;
  let stock: tf.KernelConfig | undefined;
  const installed = () => tf.getKernel(kernelName, 'wasm')?.kernelFunc === ours;
  return {
    installed,
    install() {
      if (installed()) return;
      const current = tf.getKernel(kernelName, 'wasm');
      if (!current) return; // the wasm backend is not loaded in this program
      stock = current;
      tf.unregisterKernel(kernelName, 'wasm');
      // tfjs's setup (its cwrap of the native function) still runs: our kernel may hand cases back to it.
      tf.registerKernel({ kernelName, backendName: 'wasm', setupFunc: current.setupFunc, kernelFunc: ours });
    },
    uninstall() {
      if (!installed() || !stock) return;
      tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel(stock);
    },
    original(args) {
      return stock!.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    },
  };
}
