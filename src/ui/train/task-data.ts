// A decoder's two tasks in the Train step and the data each needs: causal-lm trains on generative data (the Data
// step's "A text generator": plain text, instruction or chat), sequence-classification on labelled data ("A
// classifier": text and label columns). Start is refused with the reason when they do not match.
import type { TaskName } from '../../core/models/registry';
import type { DatasetMeta } from '../../core/storage/dataset-types';

/**
 * Why a decoder cannot start `task` on the chosen dataset with this mode, or undefined when it can (or no
 * dataset is chosen yet).
 */
export function decoderTaskProblem(
  task: TaskName,
  mode: string,
  dataset: Pick<DatasetMeta, 'name' | 'confirmed'> | undefined,
): string | undefined {
  const purpose = dataset?.confirmed?.purpose;
  if (dataset && purpose !== undefined) {
    if (task === 'sequence-classification' && purpose === 'generative')
      return `Task sequence-classification needs labelled data (text and label columns), but ${dataset.name} is chosen as "A text generator": choose a labelled dataset as "A classifier" in the Data step, or pick the task causal-lm.`;
    if (task === 'causal-lm' && purpose !== 'generative')
      return `Task causal-lm needs generative data (plain text, instruction or chat), but ${dataset.name} is chosen as "A classifier": choose such a dataset as "A text generator" in the Data step, or pick the task sequence-classification.`;
  }
  if (task === 'sequence-classification' && mode === 'lora')
    return 'A decoder trained as a sequence classifier takes mode full, head or frozen-embeddings: LoRA on its classification head (score) is not supported yet.';
  return undefined;
}
