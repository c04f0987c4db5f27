// The causal-LM side of the run service (fine-tune.ts), with plain inputs, so that the CLI
// (src/cli/run-causal-lm.ts) and the worker drive the same code: the generative data → the task's examples with
// the cleaning report, ChatML for a model without a chat template, and the final evaluation of the weights
// (eval_loss, perplexity and, for instruction and chat data, greedy generations scored with BLEU and ROUGE-L).
import type { GenerativeIssue, PreparedGenerative } from '../data/generative';
import type {
  CausalLmDataSummary,
  CausalLmFinalEvaluation,
  GenerationSample,
} from '../export/causal-lm-folder';
import type { TrainingHyperparameters } from '../export/types';
import { trainingArgumentsRecord } from '../export/training-files';
import type { TrainingArguments } from '../train/arguments';
import { generate } from '../generate/generate';
import { modelGenerationSettings, type GenerationSettings } from '../generate/generation-config';
import { corpusBleu, meanRougeL } from '../metrics/generation';
import type { CausalLM } from '../models/causal-lm';
import {
  causalLmEvalLoss,
  causalLmTask,
  perplexity,
  type CausalLmEvaluation,
  type CausalLmExample,
} from '../tasks/causal-lm';
import type { TrainingTask } from '../tasks/types';
import type { ExportedWeightsEvaluator } from './fine-tune';
import type { TokenizerFiles } from '../hub/load';
import { hasChatTemplate, loadTokenizer, type TextTokenizer } from '../tokenize/tokenizer';
import type { DecoderDims } from '../models/decoder';
import { addChatMl, CHATML_END, CHATML_START, type DecoderFiles } from '../models/chatml';
import {
  buildCausalLmExamples,
  generationPrompts,
  resolveCausalLmDataOptions,
  type CausalLmDataOptions,
  type GenerationPrompt,
} from '../train/causal-lm-examples';

/** Validation prompts generated for the metrics at most (each costs as many steps as its reference has tokens). */
export const MAX_GENERATION_PROMPTS = 100;

/**
 * Whether a run adds ChatML to its model (core/models/chatml.ts, before the model is built): chat data meets a
 * model without a chat template.
 */
export function needsChatMl(
  kind: PreparedGenerative['report']['kind'],
  tokenizerFiles: TokenizerFiles,
  modelName: string,
): boolean {
  return kind === 'chat' && !hasChatTemplate(tokenizerFiles, modelName);
}

/** The decoder's files a run builds from: as loaded, or with ChatML added when its data needs it. */
export function decoderFilesForRun(
  base: DecoderFiles,
  kind: PreparedGenerative['report']['kind'],
  modelName: string,
): DecoderFiles & { chatMlAdded: boolean } {
  if (!needsChatMl(kind, base.tokenizerFiles, modelName)) return { ...base, chatMlAdded: false };
  const { config, weights, tokenizerFiles, generationConfig } = addChatMl(base, modelName);
  return {
    config,
    weights,
    tokenizerFiles,
    ...(generationConfig ? { generationConfig } : {}),
    chatMlAdded: true,
  };
}

/** What a person is told when a run adds ChatML (the CLI's note; the app and the card say it shorter). */
export function chatMlNote(modelName: string, vocabBefore: number, vocabAfter: number): string {
  return (
    `${modelName} has no chat template: ChatML was added as TRL's clone_chat_template adds it, with ` +
    `${CHATML_START} and ${CHATML_END} as special tokens, ${CHATML_END} as the eos token and the embeddings ` +
    `resized from ${vocabBefore} to ${vocabAfter} rows (the new ones at the mean of the old); the export keeps all of it`
  );
}

export interface CausalLmRunData {
  options: CausalLmDataOptions;
  train: CausalLmExample[];
  validation: CausalLmExample[];
  /** Validation prompts for the generation metrics (instruction and chat data only). */
  prompts: GenerationPrompt[];
  /** The text-level report's issues plus, from the tokens, the rows longer than block_size. */
  issues: GenerativeIssue[];
  /** Tokens packing dropped at the end of each split (the incomplete last block). */
  remainderDropped: { train: number; validation: number };
}

/** Tokenises, masks and packs (or pads) both splits the same way; refuses data that makes no example. */
export function prepareCausalLmData(
  tokenizer: TextTokenizer,
  data: PreparedGenerative,
  eosTokenId: number,
  given: Partial<CausalLmDataOptions>,
  modelMaxLength: number,
): CausalLmRunData {
  const options = resolveCausalLmDataOptions(data.report.kind, given, modelMaxLength);
  const train = buildCausalLmExamples(tokenizer, data.train, eosTokenId, options);
  const validation = buildCausalLmExamples(tokenizer, data.validation, eosTokenId, options);
  if (train.examples.length === 0)
    throw new Error(
      options.packing
        ? `The training texts hold ${train.tokens} tokens, fewer than one block of ${options.block_size}: use a smaller --block-size`
        : 'No training row has 2 tokens or more',
    );
  const issues = [...data.report.issues];
  const tooLong = train.tooLong.rows + validation.tooLong.rows;
  if (tooLong > 0)
    issues.push({
      kind: 'too-long',
      count: tooLong,
      dropped: 0,
      examples: [],
      tokensLost: train.tooLong.tokensLost + validation.tooLong.tokensLost,
    });
  return {
    options,
    train: train.examples,
    validation: validation.examples,
    prompts: generationPrompts(tokenizer, data.validation),
    issues,
    remainderDropped: { train: train.remainderDropped, validation: validation.remainderDropped },
  };
}

/** What a run trains on, from the model's files and the cleaned data: the same for the CLI and the worker. */
export interface CausalLmRunSetup {
  /** The model's tokenizer (with ChatML's tokens and template when the run added them). */
  tokenizer: TextTokenizer;
  /** The tokenizer files the export writes. */
  tokenizerFiles: TokenizerFiles;
  /** ChatML was added to the model (decoderFilesForRun), which the notes, card and project say. */
  chatTemplateAdded: boolean;
  /** The model's generation settings (the final evaluation's greedy completions use its eos ids). */
  settings: GenerationSettings;
  data: CausalLmRunData;
}

/**
 * The run's tokenizer, generation settings and examples: eos from generation_config.json / config.json, then
 * prepareCausalLmData. The model's files are the run's (decoderFilesForRun). Throws with a message for the person.
 */
export function setUpCausalLmRun(
  model: {
    name: string;
    tokenizerFiles: TokenizerFiles;
    generationConfig?: Record<string, unknown>;
    chatMlAdded: boolean;
  },
  dims: DecoderDims,
  maxLength: number,
  prepared: PreparedGenerative,
  given: Partial<CausalLmDataOptions>,
): CausalLmRunSetup {
  const settings = modelGenerationSettings(model.generationConfig, dims, model.name);
  const eos = settings.eosTokenIds[0];
  if (eos === undefined)
    throw new Error(`${model.name} names no eos_token_id (config.json, generation_config.json)`);
  const tokenizer = loadTokenizer(model.tokenizerFiles, { model: model.name });
  const data = prepareCausalLmData(tokenizer, prepared, eos, given, maxLength);
  return {
    tokenizer,
    tokenizerFiles: model.tokenizerFiles,
    chatTemplateAdded: model.chatMlAdded,
    settings,
    data,
  };
}

/** The run's examples in words: blocks or rows, and the loss mask that applies to this kind of data. */
export function describeCausalLmExamples(
  kind: PreparedGenerative['report']['kind'],
  data: CausalLmRunData,
): string {
  const d = data.options;
  return (
    `${data.train.length} training and ${data.validation.length} validation ` +
    `${d.packing ? `blocks of ${d.block_size}` : `rows (at most ${d.block_size} tokens)`}` +
    (kind === 'instruction' ? `, completion_only_loss ${d.completion_only_loss}` : '') +
    (kind === 'chat' ? `, assistant_only_loss ${d.assistant_only_loss}` : '')
  );
}

/**
 * The task a run trains with. With validation prompts (instruction and chat data) every evaluation also scores
 * greedy completions (eval_bleu, eval_rougeL), as a Seq2SeqTrainer's predict_with_generate does, so the charts
 * show them as the run goes; plain text is evaluated by its loss and perplexity only.
 */
export function causalLmRunTask(
  setup: CausalLmRunSetup,
): TrainingTask<CausalLM, CausalLmExample, CausalLmEvaluation> {
  const { prompts } = setup.data;
  if (prompts.length === 0) return causalLmTask;
  return {
    ...causalLmTask,
    async evaluate(model, examples, args) {
      const scored = await causalLmTask.evaluate(model, examples, args);
      const g = await generationMetrics(model, setup.tokenizer, prompts, setup.settings);
      return { ...scored, record: { ...scored.record, eval_bleu: g.bleu, eval_rougeL: g.rougeL } };
    },
  };
}

/** Greedy completions of the prompts (max_new_tokens: each reference's length), scored against the references. */
export async function generationMetrics(
  model: CausalLM,
  tokenizer: TextTokenizer,
  prompts: readonly GenerationPrompt[],
  settings: GenerationSettings,
): Promise<{ bleu: number; rougeL: number; samples: GenerationSample[] }> {
  const samples: GenerationSample[] = [];
  const eos = new Set(settings.eosTokenIds);
  for (const p of prompts.slice(0, MAX_GENERATION_PROMPTS)) {
    const room = model.maxLength - p.promptIds.length;
    const { tokenIds } =
      room > 0
        ? await generate(model, p.promptIds, settings, {
            doSample: false,
            repetitionPenalty: 1,
            maxNewTokens: Math.max(1, Math.min(p.referenceTokens, room)),
          })
        : { tokenIds: [] as number[] };
    const kept = tokenIds.filter((id) => !eos.has(id));
    const generated = kept.length > 0 ? tokenizer.decode(kept) : '';
    samples.push({ prompt: p.prompt, reference: p.reference, generated });
  }
  const hyps = samples.map((s) => s.generated);
  const refs = samples.map((s) => s.reference);
  return { bleu: corpusBleu(hyps, refs).score, rougeL: meanRougeL(hyps, refs), samples };
}

/** The exported weights' evaluation: loss and perplexity on the examples, generation metrics on the prompts. */
export async function evaluateCausalLm(
  model: CausalLM,
  tokenizer: TextTokenizer,
  examples: readonly CausalLmExample[],
  prompts: readonly GenerationPrompt[],
  settings: GenerationSettings,
  batchSize: number,
  at: { step: number; epoch: number },
): Promise<CausalLmFinalEvaluation> {
  const loss = await causalLmEvalLoss(model, examples, batchSize);
  const out: CausalLmFinalEvaluation = { ...at, eval_loss: loss, perplexity: perplexity(loss) };
  if (prompts.length > 0) {
    const g = await generationMetrics(model, tokenizer, prompts, settings);
    Object.assign(out, { eval_bleu: g.bleu, eval_rougeL: g.rougeL, samples: g.samples });
  }
  return out;
}

/**
 * A causal-LM run's final evaluation for the run service (fine-tune.ts): loss and perplexity of the weights it
 * ends with, and on the validation set the generation metrics of its prompts. Always evaluated anew: the
 * generated samples the export shows are not kept by the loop's evaluations.
 */
export function causalLmEvaluator(
  setup: CausalLmRunSetup,
): ExportedWeightsEvaluator<CausalLM, CausalLmExample, CausalLmEvaluation, CausalLmFinalEvaluation> {
  return ({ model, examples, on, args, at }) =>
    evaluateCausalLm(
      model,
      setup.tokenizer,
      examples,
      on === 'validation' ? setup.data.prompts : [],
      setup.settings,
      args.per_device_eval_batch_size,
      at,
    );
}

/** What the model card and metrics say about the data: rows read, split, examples made, the cleaning report. */
export function causalLmDataSummary(
  fileName: string,
  prepared: PreparedGenerative,
  data: CausalLmRunData,
  split: CausalLmDataSummary['split'],
  chatTemplateAdded: boolean,
): CausalLmDataSummary {
  return {
    fileName,
    kind: prepared.report.kind,
    rowsRead: prepared.report.total,
    trainRows: prepared.train.length,
    validationRows: prepared.validation.length,
    trainExamples: data.train.length,
    validationExamples: data.validation.length,
    split,
    issues: data.issues.map((i) => ({
      kind: i.kind,
      rows: i.count,
      action: i.dropped > 0 ? 'dropped' : 'kept',
      ...(i.tokensLost !== undefined ? { detail: `${i.tokensLost} tokens cut off` } : {}),
    })),
    ...(chatTemplateAdded ? { chatTemplateAdded: true } : {}),
  };
}

/** training_args.json and the card's recipe: the table's entries for a causal LM (as the classifier's) and AdamW's. */
export function causalLmHyperparameters(
  args: TrainingArguments,
  options: CausalLmDataOptions,
): TrainingHyperparameters {
  return trainingArgumentsRecord(args, { task: 'causal-lm', causalLm: options });
}

/**
 * How a run's rows became examples, beside its data options: what its Trainer project reproduces (the CLI's run
 * record and the app's stored run keep it).
 */
export function causalLmExampleFacts(
  setup: CausalLmRunSetup,
  padTokenId: number,
  contextLength: number,
): {
  options: CausalLmDataOptions;
  eosTokenId: number;
  eosTokenIds: readonly number[];
  padTokenId: number;
  contextLength: number;
  chatTemplateAdded: boolean;
} {
  return {
    options: setup.data.options,
    // setUpCausalLmRun refuses a model without one.
    eosTokenId: setup.settings.eosTokenIds[0]!,
    eosTokenIds: setup.settings.eosTokenIds,
    padTokenId,
    contextLength,
    chatTemplateAdded: setup.chatTemplateAdded,
  };
}
