// One untimed forward and backward pass on the longest batch a run will see, for any task, so that WebGPU
// compiles its shaders before the first timed step (the first webgpu step can otherwise stall for seconds).
import * as tf from '@tensorflow/tfjs';

import type { TaskExample, TrainingTask } from '../tasks/types';
import type { TrainingArguments } from './arguments';
import { trainableVariables, type TrainableModel } from './weights';

export async function warmUpTask<Model extends TrainableModel, Example extends TaskExample, Details>(
  task: TrainingTask<Model, Example, Details>,
  model: Model,
  examples: readonly Example[],
  args: TrainingArguments,
): Promise<void> {
  const indices = [...examples.keys()]
    .sort((a, b) => (examples[b]?.inputIds.length ?? 0) - (examples[a]?.inputIds.length ?? 0))
    .slice(0, args.per_device_train_batch_size);
  // What the steps differentiate (with LoRA: the adapters and saved modules), so their shaders compile too.
  const variables = [...trainableVariables(model, args.mode).values()];
  const { value, grads } = tf.tidy(() =>
    tf.variableGrads(
      () => task.batchLoss(model, examples, indices, { training: true, dropoutSeed: 0, args }),
      variables,
    ),
  );
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
}
