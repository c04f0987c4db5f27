// The worker's side of a causal-LM run (a decoder fine-tuned on plain text, instruction or chat data): the
// stored dataset's rows read as generative data, the decoder built (with LoRA adapters for mode lora) and what
// the run keeps for its export. The data preparation and the final evaluation themselves are core/run's, which
// the CLI drives too; training-session.ts runs the trainer with the same hooks as a classifier's run.
import { DEFAULT_SPLIT } from '../core/data/prepare';
import { generativeParts, prepareGenerative, type PreparedGenerative } from '../core/data/generative';
import { attachRunLora } from '../core/lora/run-adapters';
import { buildCausalLM, type CausalLM } from '../core/models/causal-lm';
import {
  causalLmDataSummary,
  causalLmHyperparameters,
  decoderFilesForRun,
  setUpCausalLmRun,
  type CausalLmRunSetup,
} from '../core/run/causal-lm';
import { checkDecoderConfig } from '../core/models/causal-lm';
import type { CausalLmDataOptions } from '../core/data/causal-lm-options';
import type { TensorMap } from '../core/hub/tensors';
import type { StoredRunResults } from '../core/storage/run-types';
import { loadTokenizer } from '../core/tokenize/tokenizer';
import type { DatasetMeta } from '../core/storage/dataset-types';
import { readGenerativeStoredParts } from '../core/storage/datasets';
import type { WebTuneDatabase } from '../core/storage/db';
import type { CausalLmTrainingRecord, RunRecord } from '../core/storage/run-types';
import type { CausalLmFinalEvaluation } from '../core/export/causal-lm-folder';
import type { RunInfo } from '../core/export/types';
import type { TrainingArguments } from '../core/train/arguments';
import type { LogRecord } from '../core/train/trainer';
import type { LoadedDecoder } from './model-session';
import { loadedAdapter, rebuildRunCausalLm } from './run-model';
import type { TrainedCausalLm } from './training-session';

/**
 * The run's dataset as generative data, under the split and the TXT reading (per line or per file) it was
 * confirmed with: the Data step's analysis, from the same generativeParts.
 */
export async function readGenerativeData(
  db: WebTuneDatabase,
  meta: DatasetMeta,
  run: Pick<RunRecord, 'datasetConfig'>,
): Promise<PreparedGenerative> {
  const config = run.datasetConfig ?? meta.confirmed;
  const documents = config?.txtDocuments ?? 'line';
  const stored = await readGenerativeStoredParts(db, meta, documents === 'file');
  return prepareGenerative(generativeParts(stored, documents), config?.split ?? DEFAULT_SPLIT);
}

/** The loaded decoders with ChatML added (core/models/chatml.ts), made once per loaded model. */
const withChatMl = new WeakMap<LoadedDecoder, LoadedDecoder>();

/**
 * The loaded decoder as a run on this data trains it: with ChatML's tokens, template and resized embeddings when
 * chat data meets a model without a chat template (decoderFilesForRun, as the CLI's); else the model as loaded.
 */
export function runDecoder(loaded: LoadedDecoder, kind: PreparedGenerative['report']['kind']): LoadedDecoder {
  const made = withChatMl.get(loaded);
  if (made) return kind === 'chat' ? made : loaded;
  const name = loaded.facts.name;
  const files = decoderFilesForRun(
    {
      config: loaded.config,
      weights: loaded.pretrained.weights,
      tokenizerFiles: loaded.pretrained.tokenizerFiles,
      generationConfig: loaded.generationConfig,
    },
    kind,
    name,
  );
  if (!files.chatMlAdded) return loaded;
  const decoder: LoadedDecoder = {
    ...loaded,
    pretrained: {
      ...loaded.pretrained,
      config: files.config,
      weights: files.weights,
      tokenizerFiles: files.tokenizerFiles,
    },
    config: files.config,
    dims: checkDecoderConfig(files.config, name).dims,
    tokenizer: loadTokenizer(files.tokenizerFiles, { model: name }),
    ...(files.generationConfig ? { generationConfig: files.generationConfig } : {}),
    chatMlAdded: true,
  };
  withChatMl.set(loaded, decoder);
  return decoder;
}

/** The run's tokenizer, generation settings and examples for its decoder (core/run's, as the CLI's). */
export function setUpLoadedCausalLm(
  decoder: LoadedDecoder,
  prepared: PreparedGenerative,
  given: Partial<CausalLmDataOptions>,
): CausalLmRunSetup {
  return setUpCausalLmRun(
    {
      name: decoder.facts.name,
      tokenizerFiles: decoder.pretrained.tokenizerFiles,
      generationConfig: decoder.generationConfig,
      chatMlAdded: decoder.chatMlAdded === true,
    },
    decoder.dims,
    decoder.facts.maxLength,
    prepared,
    given,
  );
}

/**
 * The last decoder data set-up the worker made (the rows read and tokenised into the run's examples), kept so
 * that a Start after the time estimate, which made the same set-up a moment before, does not read and tokenise
 * the data again. One entry: a new model, dataset, split or data option replaces it. Nothing here is a tensor.
 */
export class CausalLmSetupMemo {
  private last?: {
    loaded: LoadedDecoder;
    key: string;
    generative: PreparedGenerative;
    /** The decoder the run builds (runDecoder: with ChatML when it was added). */
    decoder: LoadedDecoder;
    setup: CausalLmRunSetup;
  };

  async setUp(
    db: WebTuneDatabase,
    loaded: LoadedDecoder,
    meta: DatasetMeta,
    run: Pick<RunRecord, 'datasetConfig'>,
    options: Partial<CausalLmDataOptions>,
    /** Called when the rows are read and about to be tokenised (not when the set-up is the last one's). */
    onTokenizing: (generative: PreparedGenerative) => void = () => undefined,
  ): Promise<{ generative: PreparedGenerative; decoder: LoadedDecoder; setup: CausalLmRunSetup }> {
    const config = run.datasetConfig ?? meta.confirmed;
    const split = config?.split ?? DEFAULT_SPLIT;
    const documents = config?.txtDocuments ?? 'line';
    const key = JSON.stringify([meta.id, meta.createdAt, split, documents, options]);
    if (this.last?.loaded === loaded && this.last.key === key) return this.last;
    const generative = await readGenerativeData(db, meta, run);
    onTokenizing(generative);
    const decoder = runDecoder(loaded, generative.report.kind);
    const setup = setUpLoadedCausalLm(decoder, generative, options);
    this.last = { loaded, key, generative, decoder, setup };
    return this.last;
  }
}

/**
 * The decoder of a run: the base model's weights and, for mode lora, new adapters from the run's LoRA fields
 * (PEFT's CAUSAL_LM defaults for the rest), seeded by the run's seed so a resume attaches the same layers
 * before its checkpoint restores what trains; or the loaded CAUSAL_LM adapter's values when the run continues it.
 */
export function buildRunCausalLm(
  loaded: LoadedDecoder,
  run: Pick<RunRecord, 'args' | 'lora' | 'loraAdapter' | 'name'>,
  resuming: boolean,
): CausalLM {
  const model = buildCausalLM(loaded.config, loaded.pretrained.weights, {
    seed: run.args.seed,
    modelName: loaded.facts.name,
  });
  try {
    if (run.args.mode === 'head')
      throw new Error('mode head trains a classifier’s new head; a causal LM has none');
    if (run.args.mode === 'lora')
      attachRunLora(model, 'CAUSAL_LM', {
        seed: run.args.seed,
        modelName: loaded.facts.name,
        adapter: run.loraAdapter && !resuming ? loadedAdapter(run, loaded) : undefined,
        fields: run.lora,
      });
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** What the run keeps for its export and the Evaluate table (plain data, stored with its final weights). */
export function causalLmTrainingRecord(
  run: Pick<RunRecord, 'datasetName'>,
  meta: DatasetMeta,
  prepared: PreparedGenerative,
  setup: CausalLmRunSetup,
  split: { validationShare: number; seed: number },
  args: TrainingArguments,
  logHistory: LogRecord[],
  finalEvaluation: CausalLmFinalEvaluation | undefined,
  info: RunInfo,
): CausalLmTrainingRecord {
  const validationFile = meta.parts.find((p) => p.role === 'validation')?.file;
  return {
    dataset: causalLmDataSummary(
      run.datasetName,
      prepared,
      setup.data,
      validationFile
        ? { kind: 'file', validationFileName: validationFile }
        : { kind: 'random', validationFraction: split.validationShare, seed: split.seed },
      setup.chatTemplateAdded,
    ),
    hyperparameters: causalLmHyperparameters(args, setup.data.options),
    logHistory,
    ...(finalEvaluation ? { finalEvaluation } : {}),
    run: info,
    chatTemplateAdded: setup.chatTemplateAdded,
  };
}

/** The run record's facts of its data, once read: the Train step shows them, a resume checks them. */
export function causalLmDataFacts(setup: CausalLmRunSetup, kind: PreparedGenerative['report']['kind']) {
  const tooLong = setup.data.issues.find((i) => i.kind === 'too-long');
  return {
    kind,
    ...(tooLong ? { tooLong: { rows: tooLong.count, tokensLost: tooLong.tokensLost ?? 0 } } : {}),
    chatTemplateAdded: setup.chatTemplateAdded,
    remainderDropped: setup.data.remainderDropped,
  };
}

/**
 * A finished causal-LM run's decoder again, from the base model and what its final model stored (the weights,
 * the training record with its evaluation, its LoRA config), with the tokenizer it trained with (ChatML added
 * when it was): what Evaluate, the Playground and "Download model" act on after a reload or for another run.
 */
export function reopenCausalLm(
  loaded: LoadedDecoder,
  run: Pick<RunRecord, 'id' | 'name' | 'args' | 'lora' | 'modelSource'>,
  stored: { weights: TensorMap; results: StoredRunResults },
): TrainedCausalLm {
  const record = stored.results.causalLm;
  if (!record) throw new Error(`The stored model of ${run.name} is not a causal LM's`);
  // Chat data, with ChatML added when it was: the stored weights have the resized embeddings.
  const decoder = record.chatTemplateAdded ? runDecoder(loaded, 'chat') : loaded;
  return {
    runId: run.id,
    model: rebuildRunCausalLm(decoder, run, stored.weights, stored.results.lora),
    loaded: decoder,
    tokenizer: decoder.tokenizer,
    tokenizerFiles: decoder.pretrained.tokenizerFiles,
    record,
    ...(run.modelSource.kind === 'hub' ? { hubId: run.modelSource.id } : {}),
  };
}
