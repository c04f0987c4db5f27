// How many examples of a batch one forward + backward pass can take without running out of memory, and the
// split of a batch into micro-batches of that size whose gradients sum to the whole batch's gradient.
//
// Under tf.variableGrads the tape keeps every intermediate of the forward pass until the backward pass is done,
// so a step's memory grows with batch × length: a MiniLM-L6 step on 32 × 128 tokens holds ~9 GB (measured
// ≈ 280 MB per 128-token example), more than the wasm backend's heap can ever grow to (4 GiB, wasm32); the
// allocation fails inside a kernel and the module aborts, unusable from then on. Like the transformers Trainer's
// auto_find_batch_size, the trainer measures what one example costs before training and, when the batch does
// not fit, runs it as micro-batches with gradient accumulation: loss_i · (n_i / n) summed over the micro-batches
// is the whole batch's mean loss, so the update is the same (up to float rounding and the dropout draws).
import * as tf from '@tensorflow/tfjs';

/** The wasm32 heap's ceiling (Emscripten's getHeapMax in tfjs-backend-wasm 4.22: 4 GiB less one page). */
export const WASM_HEAP_MAX_BYTES = 4294901760;

/**
 * What a WebGPU step may use when nothing else is known: 4 GiB, the budget of a common 8 GB consumer GPU
 * shared with the desktop (WebGPU exposes no free-memory query).
 */
export const WEBGPU_DEFAULT_BUDGET_BYTES = 4 * 2 ** 30;

/**
 * The share of the budget a planned step may fill. The heap is not compacted: tensors of many sizes come and
 * go, and malloc needs contiguous room, so the measured peak must leave slack (measured: a MiniLM step planned
 * to 2.4 GB grew the heap to 2.3–2.6 GB).
 */
export const STEP_MEMORY_HEADROOM = 0.7;

/** Bytes one forward + backward pass may use beyond what is live now, for the current backend. */
export function stepMemoryBudget(budgetBytes?: number): number {
  const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  const backend = tf.getBackend();
  let total = budgetBytes;
  if (total === undefined) {
    if (backend === 'wasm') total = WASM_HEAP_MAX_BYTES;
    else if (backend === 'webgpu') total = WEBGPU_DEFAULT_BUDGET_BYTES;
    else return Infinity; // cpu: JavaScript typed arrays, bounded by the machine only
  }
  const live = backend === 'webgpu' ? (mem.numBytesInGPU ?? mem.numBytes) : mem.numBytes;
  return total * STEP_MEMORY_HEADROOM - live;
}

export interface StepCost {
  /** Bytes per example of the probed length (the slope between a 1- and a 2-example pass). */
  perExample: number;
  /** Bytes a pass needs whatever its size: the gradients, the weights' transposed copies. */
  fixed: number;
}

/**
 * The peak bytes above the current level of `pass(n)` for n = 1 and 2, as a line. `pass` runs one forward +
 * backward on n examples and frees everything it made. tf.profile tracks the engine's peak.
 */
export async function measureStepCost(pass: (n: number) => void): Promise<StepCost> {
  const peakOf = async (n: number): Promise<number> => {
    const before = tf.memory().numBytes;
    const info = await tf.profile(() => pass(n));
    return Math.max(0, info.peakBytes - before);
  };
  const one = await peakOf(1);
  const two = await peakOf(2);
  const perExample = Math.max(two - one, 1);
  return { perExample, fixed: Math.max(one - perExample, 0) };
}

export interface MicroBatchPlan {
  /** The largest micro-batch, ≤ the batch size; equal to it when the batch fits whole. */
  microBatchSize: number;
  /** Micro-batches per batch. */
  chunks: number;
  /** The estimated bytes of the largest micro-batch's pass, and the budget it was fitted to. */
  estimatedBytes: number;
  /** The estimated bytes of the whole batch in one pass. */
  wholeBatchBytes: number;
  budgetBytes: number;
}

/**
 * Splits a batch into as few equal micro-batches as fit `budgetBytes` (balanced: 32 in 3 is 11 + 11 + 10).
 * Throws when a single example does not fit, with the figures, so a run is refused before it starts.
 */
export function planMicroBatches(batchSize: number, cost: StepCost, budgetBytes: number): MicroBatchPlan {
  const fits = Math.floor((budgetBytes - cost.fixed) / cost.perExample);
  if (fits < 1) {
    const mb = (x: number) => `${Math.round(x / 2 ** 20)} MB`;
    throw new Error(
      `One training example needs ${mb(cost.fixed + cost.perExample)} for its forward and backward pass, ` +
        `more than the ${mb(Math.max(budgetBytes, 0))} this backend leaves: use a shorter max length or a smaller model.`,
    );
  }
  const chunks = Math.ceil(batchSize / Math.min(fits, batchSize));
  const microBatchSize = Math.ceil(batchSize / chunks);
  return {
    microBatchSize,
    chunks,
    estimatedBytes: cost.fixed + cost.perExample * microBatchSize,
    wholeBatchBytes: cost.fixed + cost.perExample * batchSize,
    budgetBytes,
  };
}

/** `indices` cut into consecutive pieces of at most `size` (balanced by planMicroBatches's size). */
export function splitBatch(indices: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i += size) out.push(indices.slice(i, i + size));
  return out;
}

/** The sentence the CLI and the app show when a batch is split. */
export function describePlan(plan: MicroBatchPlan, batchSize: number, tokens: number): string {
  const mb = (x: number) => Math.round(x / 2 ** 20);
  return (
    `A batch of ${batchSize} × ${tokens} tokens does not fit in one pass (≈ ${mb(plan.wholeBatchBytes)} MB, ` +
    `${mb(plan.budgetBytes)} MB available): each batch runs as ${plan.chunks} micro-batches of up to ` +
    `${plan.microBatchSize} with gradient accumulation, the same update.`
  );
}
