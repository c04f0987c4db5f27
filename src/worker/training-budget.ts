// What each training mode would train and hold for the loaded encoder, before a run: the trainable-parameter
// count and share ("295k of 4.4M, 6.7 %") and the memory estimate of core/lora/budget.ts, and whether full
// fine-tuning is advised in a browser tab. The counts come from the classifier's own variable and layer shapes,
// so the LoRA count is exactly what attachLora will create for that config.
import { buildClassifier } from '../core/models/build';
import type { SequenceClassifier } from '../core/models/types';
import type { LoraTarget } from '../core/lora/attach';
import {
  formatParameterShare,
  loraParameterCount,
  trainingMemoryEstimate,
  type ParameterCount,
} from '../core/lora/budget';
import { defaultTargetModules, resolveLoraConfig, type LoraConfig } from '../core/lora/config';
import type { TrainingMode } from '../core/train/arguments';
import type { LoadedModel } from './model-session';
import type { ModeBudget, TrainingBudget } from './protocol';

/**
 * Above this estimate for full fine-tuning (weights + gradients + two AdamW moments, float32, activations not
 * counted), LoRA is the default and the other modes say why they are not advised. 1 GiB: a tab's WebGPU device
 * and wasm heap rarely get more than 2–4 GB, and activations, the optimizer's temporaries and the browser's own
 * copies come on top of this figure. DistilBERT (66 M parameters, 1.06 GB) sits just under it; BERT-base
 * (110 M, 1.76 GB) is over.
 */
export const FULL_FINE_TUNING_LIMIT_BYTES = 2 ** 30;

/** full, unless full fine-tuning of a model of this many parameters is estimated above the limit: then lora. */
export function defaultModeFor(parameters: number): TrainingMode {
  const full = trainingMemoryEstimate('full', { total: parameters, trainable: parameters }).total;
  return full <= FULL_FINE_TUNING_LIMIT_BYTES ? 'full' : 'lora';
}

/** The shapes a plan needs (names, shapes, linear layers), kept after the classifier is freed. */
interface Skeleton {
  target: LoraTarget;
  architecture: SequenceClassifier['architecture'];
  headVariableNames: string[];
  embeddingVariableNames: string[];
}

/** Per loaded model (weakly, so a replaced model's weights are not kept alive) and label count. */
const cached = new WeakMap<LoadedModel, Map<number, Skeleton>>();

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Builds the classifier once per loaded model and label count, keeps only its shapes and frees its tensors
 * (the budget must not hold a second copy of the model while the person edits the form).
 */
function skeletonOf(loaded: LoadedModel, numLabels: number): Skeleton {
  const known = cached.get(loaded)?.get(numLabels);
  if (known) return known;
  const model = buildClassifier(loaded.config, loaded.pretrained.weights, {
    numLabels,
    seed: 0,
    modelName: loaded.facts.name,
  });
  try {
    // planLora and loraParameterCount read only names, `.shape` and a layer's `layout`: plain objects suffice.
    const variables = new Map([...model.variables].map(([name, v]) => [name, { shape: [...v.shape] }]));
    const linearModules = new Map(
      [...(model.linearModules ?? [])].map(([path, m]) => [
        path,
        { weight: { shape: [...m.weight.shape] }, layout: m.layout },
      ]),
    );
    const skeleton: Skeleton = {
      target: { variables, linearModules } as unknown as LoraTarget,
      architecture: model.architecture,
      headVariableNames: [...model.headVariableNames],
      embeddingVariableNames: [...model.embeddingVariableNames],
    };
    cached.set(loaded, new Map([...(cached.get(loaded) ?? []), [numLabels, skeleton]]));
    return skeleton;
  } finally {
    model.dispose();
  }
}

/** The budget of every mode for this model, `numLabels` classes and the LoRA fields set in the form. */
export function trainingBudget(
  loaded: LoadedModel,
  numLabels: number,
  lora: Partial<LoraConfig>,
): TrainingBudget {
  if (loaded.kind !== 'encoder')
    throw new Error(`${loaded.facts.name} generates text; the Train step fine-tunes classifiers`);
  const skeleton = skeletonOf(loaded, numLabels);
  const sizes = new Map([...skeleton.target.variables].map(([name, v]) => [name, size(v.shape)]));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const sum = (names: readonly string[]) => names.reduce((a, n) => a + (sizes.get(n) ?? 0), 0);
  const config = resolveLoraConfig(skeleton.architecture, 'SEQ_CLS', lora);
  const counts: Record<TrainingMode, ParameterCount> = {
    full: { total, trainable: total },
    head: { total, trainable: sum(skeleton.headVariableNames) },
    'frozen-embeddings': { total, trainable: total - sum(skeleton.embeddingVariableNames) },
    lora: loraParameterCount(skeleton.target, config),
  };
  return budgetOfCounts(counts, numLabels, defaultTargetModules(skeleton.architecture));
}

/** Each mode's figures and advice from its parameter counts (all modes count the same model total). */
export function budgetOfCounts(
  counts: Record<TrainingMode, ParameterCount>,
  numLabels: number,
  targetModules: string[],
): TrainingBudget {
  const total = counts.full.total;
  const fullAdvised = defaultModeFor(total) === 'full';
  const modes = Object.fromEntries(
    (Object.entries(counts) as [TrainingMode, ParameterCount][]).map(([mode, count]) => {
      const memoryBytes = trainingMemoryEstimate(mode, count).total;
      const budget: ModeBudget = {
        trainable: count.trainable,
        total: count.total,
        share: formatParameterShare(count),
        memoryBytes,
        ...(fullAdvised || mode === 'lora' ? {} : { notAdvised: notAdvised(mode, memoryBytes) }),
      };
      return [mode, budget];
    }),
  ) as Record<TrainingMode, ModeBudget>;
  return {
    numLabels,
    modes,
    defaultMode: defaultModeFor(total),
    defaultTargetModules: targetModules,
    limitBytes: FULL_FINE_TUNING_LIMIT_BYTES,
  };
}

/** Why a mode is not advised for a model too big for full fine-tuning here (`bytes`: the mode's estimate). */
function notAdvised(mode: TrainingMode, bytes: number): string {
  if (mode === 'head')
    return 'trains only the new classifier on frozen features: much weaker than LoRA in about the same memory';
  const what = mode === 'full' ? 'every weight' : 'all but the embeddings';
  return (
    `training ${what} holds about ${(bytes / 1e9).toFixed(1)} GB (weights, gradients, two Adam moments), ` +
    'more than a browser tab reliably gets'
  );
}
