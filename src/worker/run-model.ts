// A stored run's model: what the run keeps of it (every weight, or with LoRA only the adapters and the saved
// modules, as its checkpoints do) and the classifier or decoder rebuilt from the base model and those weights,
// so that a LoRA run reopened after a reload is base + adapter again, not the bare base model.
import type * as tf from '@tensorflow/tfjs';

import type { TensorMap } from '../core/hub/tensors';
import { attachLora, type LoraTarget } from '../core/lora/attach';
import { type LoraConfig, type LoraTaskType, resolveLoraConfig } from '../core/lora/config';
import { mergedWeights } from '../core/lora/merge';
import type { PeftAdapter } from '../core/lora/run-adapters';
import { buildClassifier } from '../core/models/build';
import { buildCausalLM, type CausalLM } from '../core/models/causal-lm';
import type { Architecture, SequenceClassifier } from '../core/models/types';
import type { RunRecord } from '../core/storage/run-types';
import { restoreWeights, type TrainableModel } from '../core/train/weights';
import type { LoadedDecoder, LoadedModel } from './model-session';

/** The variables a run stores as its final model: what trains with LoRA (as the trainer's checkpoints), else all. */
export function storedVariables(model: TrainableModel): ReadonlyMap<string, tf.Variable> {
  return model.lora ? model.lora.trainableVariables() : model.variables;
}

/**
 * The LoRA config a run's stored weights belong to: the one stored with its final model, else (a checkpoint of
 * a paused or interrupted run) the run's LoRA fields with PEFT's defaults, as the run attached them.
 */
export function runLoraConfig(
  run: Pick<RunRecord, 'args' | 'lora'>,
  architecture: Architecture,
  taskType: LoraTaskType,
  stored?: LoraConfig,
): LoraConfig | undefined {
  if (stored) return stored;
  return run.args.mode === 'lora' ? resolveLoraConfig(architecture, taskType, run.lora ?? {}) : undefined;
}

type RebuiltRun = Pick<RunRecord, 'args' | 'lora' | 'name'>;

/**
 * `model` (just built from the base weights) as the stored run left it: LoRA adapters attached when the run
 * trained them, then the run's stored weights (all of them, or the adapters and saved modules). Throws, having
 * freed the model, when the stored weights do not fit.
 */
function withRunWeights<
  Model extends TrainableModel & LoraTarget & { architecture: Architecture; dispose(): void },
>(
  model: Model,
  loaded: LoadedModel,
  run: RebuiltRun,
  weights: TensorMap,
  taskType: LoraTaskType,
  storedLora: LoraConfig | undefined,
): Model {
  try {
    const lora = runLoraConfig(run, model.architecture, taskType, storedLora);
    if (lora) {
      attachLora(model, lora, { seed: run.args.seed, modelName: loaded.facts.name });
      restoreWeights(model, weights, model.lora!.trainableVariables());
    } else restoreWeights(model, weights);
    return model;
  } catch (err) {
    model.dispose(); // with its adapters
    throw new Error(
      `The stored model of ${run.name} does not fit ${loaded.facts.name}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/** The classifier of a stored run (see withRunWeights). */
export function rebuildRunClassifier(
  loaded: LoadedModel,
  run: RebuiltRun & Pick<RunRecord, 'labels'>,
  weights: TensorMap,
  storedLora?: LoraConfig,
): SequenceClassifier {
  const classifier = buildClassifier(loaded.config, loaded.pretrained.weights, {
    numLabels: run.labels.length,
    seed: run.args.seed,
    modelName: loaded.facts.name,
    padTokenId: loaded.tokenizer.padTokenId,
  });
  return withRunWeights(classifier, loaded, run, weights, 'SEQ_CLS', storedLora);
}

/** The decoder of a stored causal-LM run (see withRunWeights). */
export function rebuildRunCausalLm(
  loaded: LoadedDecoder,
  run: RebuiltRun,
  weights: TensorMap,
  storedLora?: LoraConfig,
): CausalLM {
  const lm = buildCausalLM(loaded.config, loaded.pretrained.weights, {
    seed: run.args.seed,
    modelName: loaded.facts.name,
  });
  return withRunWeights(lm, loaded, run, weights, 'CAUSAL_LM', storedLora);
}

/** The PEFT adapter a run continues: it must still be the one loaded on the model (the Model step). */
export function loadedAdapter(
  run: Pick<RunRecord, 'name' | 'loraAdapter'>,
  loaded: LoadedModel,
): PeftAdapter {
  const adapter = loaded.adapter;
  if (!adapter || adapter.facts.name !== run.loraAdapter)
    throw new Error(
      `Run ${run.name} continues the LoRA adapter ${run.loraAdapter}: load it again in the Model step.`,
    );
  return { name: adapter.facts.name, config: adapter.adapter.config, weights: adapter.adapter.weights };
}

/**
 * Why a run in `mode` cannot continue `earlier`, or undefined: a LoRA run stores an adapter over the base
 * model, so it cannot carry on from a run that changed every weight.
 */
export function continuationRefusal(
  earlier: Pick<RunRecord, 'name' | 'args'>,
  mode: RunRecord['args']['mode'],
): string | undefined {
  if (mode === 'lora' && earlier.args.mode !== 'lora')
    return (
      `Run ${earlier.name} trained with mode ${earlier.args.mode}: a LoRA run continues only a LoRA run (its ` +
      'adapter). Continue it in another mode.'
    );
  return undefined;
}

/**
 * The weights a new run in `mode` starts from when it continues `earlier` (see continuationRefusal): a LoRA
 * run's adapter and head carry on as those of a new LoRA run; for any other mode they are folded into the
 * base weights (W + scale·B·A) first, and the new run trains from that merged model.
 */
export async function continuationWeights(
  loaded: LoadedModel,
  earlier: RunRecord,
  final: { weights: TensorMap; lora?: LoraConfig },
  mode: RunRecord['args']['mode'],
): Promise<TensorMap> {
  if (earlier.args.mode !== 'lora' || mode === 'lora') return final.weights;
  const model =
    loaded.kind === 'decoder' && earlier.task !== 'sequence-classification'
      ? rebuildRunCausalLm(loaded, earlier, final.weights, final.lora)
      : rebuildRunClassifier(loaded, earlier, final.weights, final.lora);
  try {
    return await mergedWeights(model);
  } finally {
    model.dispose();
  }
}
