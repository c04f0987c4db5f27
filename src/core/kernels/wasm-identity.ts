// Identity for the wasm backend that shares its input's memory, as tfjs's cpu and webgpu Identity and every
// backend's Reshape do, where tfjs-backend-wasm's own copies it.
//
// Identity is what tf.clone runs, and the engine clones every tensor a kernel's gradient saves while a tape is
// recording: in a training step on wasm that is a copy of most activations. The MiniLM-L6-shaped step of
// `npm run bench` (B32, T128) ran 1,740 Identity kernels, 4.6 % of its kernel time, each copy holding heap
// memory of its own beside the tensor it copied. Sharing is safe because neither tfjs's kernels nor ours write
// into their inputs (Reshape already hands out the same memory under a second tensor); the backend's reference
// count frees it when the last tensor on it is disposed.
import * as tf from '@tensorflow/tfjs';

import { wasmKernelOverride } from './wasm-override';

interface IdentityArgs {
  inputs: { x: tf.TensorInfo };
  backend: { incRef(dataId: tf.DataId): void };
}

function identity(args: IdentityArgs): tf.TensorInfo {
  const { x } = args.inputs;
  // Strings live outside the wasm heap: tfjs's kernel handles them.
  if (x.dtype === 'string') return override.original(args);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const override = wasmKernelOverride(tf.Identity, identity);

/** Whether Identity on wasm currently runs this module's kernel. */
export const wasmIdentityInstalled = override.installed;

/** Replaces the wasm backend's Identity with the sharing one above (idempotent; no-op without wasm). */
export const registerWasmIdentity = override.install;

/** Puts tfjs's own copying Identity back (for side-by-side measurements and tests). */
export const unregisterWasmIdentity = override.uninstall;
