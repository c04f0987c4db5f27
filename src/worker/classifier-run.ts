// The worker's side of a classification run's set-up, shared by the run itself and the time estimate before
// Start: the stored dataset prepared under its config and tokenised once (from the cache when this dataset ×
// tokenizer × length was seen), the arguments fitted to it, and the classifier built with its LoRA adapters.
import { attachRunLora } from '../core/lora/run-adapters';
import { planRun, type RunPlan } from '../core/run/fine-tune';
import type { LoraConfig } from '../core/lora/config';
import { buildClassifier } from '../core/models/build';
import type { SequenceClassifier } from '../core/models/types';
import type { PreparedDataset } from '../core/data/prepare';
import type { DatasetMeta } from '../core/storage/dataset-types';
import { getDataset } from '../core/storage/datasets';
import type { WebTuneDatabase } from '../core/storage/db';
import { loadPreparedDataset } from '../core/storage/prepared';
import type { RunRecord } from '../core/storage/run-types';
import { getTokenized, putTokenized, tokenizedKey } from '../core/storage/tokenized';
import type { TrainingArguments } from '../core/train/arguments';
import type { TokenizedExample } from '../core/train/batching';
import { packExamples, unpackExamples } from '../core/train/packed-tokens';
import { tokenizeExamples } from '../core/train/tokenize-examples';
import type { LoadedModel } from './model-session';
import { loadedAdapter } from './run-model';
import type { TrainingPhase } from './protocol';

/** Says what the set-up is doing (a run posts it as its phase; the estimate says nothing). */
export type SetUpReport = (phase: TrainingPhase, detail?: string) => void;

/** A classification run's data as its steps see it. */
export interface ClassifierData {
  prepared: PreparedDataset;
  datasetMeta: DatasetMeta;
  datasetConfig: RunRecord['datasetConfig'];
  train: TokenizedExample[];
  validation: TokenizedExample[];
  /** The run's arguments fitted to these rows (no evaluations without validation rows) and its steps. */
  plan: RunPlan;
}

/** Reads, checks and tokenises a run's dataset; throws with the reason when it cannot train on it. */
export async function readClassifierData(
  db: WebTuneDatabase,
  run: Pick<RunRecord, 'datasetId' | 'datasetName' | 'datasetConfig' | 'maxLength' | 'args'>,
  loaded: LoadedModel,
  report: SetUpReport,
): Promise<ClassifierData> {
  const prepared = await loadPreparedDataset(db, run.datasetId, run.datasetConfig);
  const datasetMeta = await getDataset(db, run.datasetId);
  if (!datasetMeta) throw new Error(`Dataset ${run.datasetName} is not stored (was it deleted?).`);
  if (prepared.labels.length < 2)
    throw new Error(`${run.datasetName} has ${prepared.labels.length} class; training needs at least 2.`);
  const [train, validation] = await tokenizeOnce(db, datasetMeta, loaded, prepared, run.maxLength, report);
  if (train.length === 0) throw new Error(`${run.datasetName} has no training rows after cleaning.`);
  return {
    prepared,
    datasetMeta,
    datasetConfig: run.datasetConfig ?? datasetMeta.confirmed,
    train,
    validation,
    plan: planRun(run.args, train.length, validation.length),
  };
}

/** The train and validation sets tokenised, from the cache when this dataset × tokenizer × length was seen. */
async function tokenizeOnce(
  db: WebTuneDatabase,
  dataset: DatasetMeta,
  loaded: LoadedModel,
  prepared: PreparedDataset,
  maxLength: number,
  report: SetUpReport,
): Promise<[TokenizedExample[], TokenizedExample[]]> {
  const key = await tokenizedKey(dataset, loaded.pretrained.tokenizerFiles, maxLength);
  const count = prepared.train.length + prepared.validation.length;
  const cached = await getTokenized(db, key).catch(() => undefined);
  if (cached && cached.sets.length === 2) {
    const [train, validation] = cached.sets.map(unpackExamples) as [TokenizedExample[], TokenizedExample[]];
    if (train.length === prepared.train.length && validation.length === prepared.validation.length) {
      report('tokenizing', `${count} examples, from the cache`);
      return [train, validation];
    }
  }
  report('tokenizing', `${count} examples`);
  const sets: [TokenizedExample[], TokenizedExample[]] = [
    tokenizeExamples(loaded.tokenizer, prepared.train, maxLength),
    tokenizeExamples(loaded.tokenizer, prepared.validation, maxLength),
  ];
  // The cache only saves time: a full disk or a closed database must not stop the run.
  await putTokenized(db, {
    key,
    datasetId: dataset.id,
    createdAt: Date.now(),
    sets: sets.map(packExamples),
  }).catch((error: unknown) => console.warn(`WebTune: the tokenised data was not cached: ${String(error)}`));
  return sets;
}

/**
 * The classifier of a run: the base model's weights with a new head for `numLabels`, and for mode lora, as the
 * CLI does, new adapters from the run's LoRA fields (PEFT's defaults for the rest), seeded by the run's seed so
 * a resume attaches the same layers before the checkpoint restores what trains. A run that continues an
 * imported adapter starts from its values (a resume restores the checkpoint's).
 */
export function buildRunClassifier(
  loaded: LoadedModel,
  run: Pick<RunRecord, 'args' | 'lora' | 'loraAdapter' | 'name'>,
  numLabels: number,
  resuming: boolean,
  report: SetUpReport,
): SequenceClassifier {
  if (loaded.kind === 'decoder' && run.args.mode === 'lora')
    throw new Error(
      `${loaded.facts.name} is a decoder: as a sequence classifier it trains with mode full, head or ` +
        'frozen-embeddings; LoRA on its classification head is not supported yet.',
    );
  const model = buildClassifier(loaded.config, loaded.pretrained.weights, {
    numLabels,
    seed: run.args.seed,
    modelName: loaded.facts.name,
    // A decoder without pad_token_id in config.json pads (and pools) with the tokenizer's, else eos.
    padTokenId: loaded.tokenizer.padTokenId,
  });
  if (run.args.mode !== 'lora') return model;
  try {
    const lora = attachRunLora(model, 'SEQ_CLS', {
      seed: run.args.seed,
      modelName: loaded.facts.name,
      adapter: run.loraAdapter && !resuming ? loadedAdapter(run, loaded) : undefined,
      fields: run.lora,
    });
    report('building', `LoRA r ${lora.config.r} on ${lora.targetNames.join(', ')}, ${numLabels} labels`);
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** The LoRA fields of a run started with `mode` on `loaded`: the loaded PEFT adapter's, else those set. */
export function runLoraFields(
  loaded: LoadedModel,
  mode: TrainingArguments['mode'],
  set: Partial<LoraConfig> | undefined,
): { lora?: Partial<LoraConfig>; loraAdapter?: string } {
  const imported = mode === 'lora' ? loaded.adapter : undefined;
  if (imported) return { lora: loraFieldsOf(imported.adapter.config), loraAdapter: imported.facts.name };
  return { lora: set };
}

/** A LoraConfig's fields as a run stores them (resolveLoraConfig gives back the same config from them). */
function loraFieldsOf(config: LoraConfig): Partial<LoraConfig> {
  const { r, lora_alpha, lora_dropout, target_modules, modules_to_save, use_rslora } = config;
  return { r, lora_alpha, lora_dropout, target_modules, modules_to_save, use_rslora };
}
