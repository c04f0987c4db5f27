// A base model as a classifier with a trained head, a PEFT adapter attached when one is given (its saved
// modules then provide the head): the one place that builds it, for the CLI's predict and export and the
// app's "use the loaded model as it is". Names its classes the same way everywhere.
import type { TensorMap } from '../hub/tensors';
import { buildClassifier } from '../models/build';
import { classificationHead, descriptorFor } from '../models/registry';
import type { HFConfig, SequenceClassifier } from '../models/types';
import { attachLora, PEFT_PREFIX } from './attach';
import type { ReadAdapter } from './adapter-files';
import { LoraConfigError } from './config';

/** A base model or adapter that cannot make a trained classifier; the message says which and why. */
export class TrainedClassifierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainedClassifierError';
  }
}

export type NamedAdapter = ReadAdapter & { name: string };

/** The class names in logit order: id2label when complete, else LABEL_i as transformers names them. */
export function classNames(config: HFConfig, modelName: string): string[] {
  const id2label = config.id2label ?? {};
  const count = Number(config.num_labels ?? Object.keys(id2label).length);
  if (!Number.isInteger(count) || count < 1)
    throw new TrainedClassifierError(
      `${modelName} is not a sequence classifier: its config.json has no id2label / num_labels`,
    );
  return Array.from({ length: count }, (_, i) => id2label[String(i)] ?? `LABEL_${i}`);
}

/**
 * The class names for a base + SEQ_CLS adapter: as many as the adapter's head has rows, named by the base's
 * id2label when that has the same count (PEFT adapters carry no label names), else LABEL_i.
 */
export function adapterClassNames(config: HFConfig, adapter: NamedAdapter, modelName: string): string[] {
  const head = classificationHead(descriptorFor(config, modelName).modelType);
  const rows = adapter.weights.get(`${PEFT_PREFIX}${head.outLayer}.weight`)?.shape[0];
  if (adapter.config.task_type !== 'SEQ_CLS' || rows === undefined)
    throw new TrainedClassifierError(
      `${adapter.name} is not a sequence-classification adapter with a trained head (${head.outLayer}) for ${modelName}`,
    );
  const id2label = config.id2label ?? {};
  const named = Object.keys(id2label).length === rows;
  return Array.from({ length: rows }, (_, i) => (named ? id2label[String(i)] : undefined) ?? `LABEL_${i}`);
}

/**
 * The classifier and its class names; throws TrainedClassifierError naming what is missing (a head that
 * neither the checkpoint nor the adapter has, an adapter that does not fit the base).
 */
export function trainedClassifier(
  base: { config: HFConfig; weights: TensorMap; name: string },
  adapter: NamedAdapter | undefined,
): { model: SequenceClassifier; labels: string[] } {
  const descriptor = descriptorFor(base.config, base.name);
  if (adapter && descriptor.kind === 'decoder')
    throw new TrainedClassifierError(
      `${adapter.name}: LoRA adapters on a ${descriptor.label} sequence classifier are not supported yet ` +
        `(WebTune's LoRA for decoders is for causal-LM runs); merge the adapter with PEFT first`,
    );
  const labels = adapter
    ? adapterClassNames(base.config, adapter, base.name)
    : classNames(base.config, base.name);
  const model = buildClassifier(base.config, base.weights, {
    numLabels: labels.length,
    seed: 0,
    modelName: base.name,
  });
  try {
    if (adapter) {
      try {
        attachLora(model, adapter.config, { seed: 0, weights: adapter.weights, modelName: adapter.name });
      } catch (error) {
        if (error instanceof LoraConfigError) throw new TrainedClassifierError(error.message);
        throw error;
      }
    }
    const fromAdapter = new Set(model.lora?.savedVariableNames ?? []);
    const missingHead = (model.loadReport?.initialized ?? []).filter((n) => !fromAdapter.has(n));
    if (missingHead.length > 0)
      throw new TrainedClassifierError(
        `${base.name} has no trained classification head (missing ${missingHead.join(', ')}); fine-tune it first`,
      );
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, labels };
}
