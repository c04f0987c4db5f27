// `npm run train` for a decoder (--task causal-lm, or a GPT-2 / Llama / Qwen2 model): the generative data read
// and cleaned by the core, tokenised and packed (core/run/causal-lm.ts), the model (with LoRA adapters for
// --mode lora), the trainer with the causal-LM task and the CLI's progress and checkpoints, the final
// evaluation (eval_loss, perplexity, BLEU and ROUGE-L of greedy generations for instruction and chat data) and
// the Hugging Face folder AutoModelForCausalLM loads. Returns the exit code.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';

import { chatMlModeProblem } from '../core/data/causal-lm-options';
import { DEFAULT_SPLIT } from '../core/data/prepare';
import { buildCausalLmExportFolder } from '../core/export/causal-lm-folder';
import { WEBTUNE_VERSION } from '../core/export/version';
import { readGenerationConfig } from '../core/generate';
import { loraExportFiles } from '../core/lora/export';
import { mergedWeights } from '../core/lora/merge';
import { buildCausalLM } from '../core/models/causal-lm';
import type { HFConfig } from '../core/models/types';
import {
  causalLmDataSummary,
  causalLmHyperparameters,
  causalLmExampleFacts,
  causalLmEvaluator,
  causalLmRunTask,
  chatMlNote,
  decoderFilesForRun,
  describeCausalLmExamples,
  setUpCausalLmRun,
} from '../core/run/causal-lm';
import { fineTune, planRun } from '../core/run/fine-tune';
import { causalLmPadId } from '../core/tasks/causal-lm';
import type { TrainerCheckpoint } from '../core/train/trainer';
import type { TrainCliOptions } from './args';
import { checkpointPath, loadCheckpoint, removeCheckpoint } from './checkpoint-file';
import { CliError } from './fail';
import { loadModel, modelFileBytes } from './load-model';
import { requireDecoder } from './model-kind';
import { readGenerativeData } from './generative-data';
import { attachCliLora } from './run-lora';
import { fileRecord, writeRunRecord, type CliCausalLmRunRecord } from './run-record';
import { startBackend } from './start-backend';
import { refuseEvaluationsWithoutValidation, trainUnderCli } from './train-controls';
import { TrainProgress } from './train-progress';
import { writeExportFolder } from './write-folder';
import { writeCausalLmProject } from './write-project';

const DEFAULT_SAVE_STEPS = 200;

const say = (text: string) => process.stderr.write(`${text}\n`);

export async function runCausalLmTraining(o: TrainCliOptions): Promise<number> {
  const startedAt = new Date();
  for (const [flag, given] of [
    ['--label-column', o.labelColumn],
    ['--text-pair-column', o.textPairColumn],
  ] as const)
    if (given !== undefined) throw new CliError(`${flag} does not apply to a causal LM`);
  if (o.maxLengthGiven) throw new CliError('--max-length does not apply to a causal LM: use --block-size');
  const resumeFrom: TrainerCheckpoint | undefined = o.resume ? await loadCheckpoint(o.out) : undefined;
  if (!o.resume && existsSync(checkpointPath(o.out)))
    say(`note: ${checkpointPath(o.out)} exists; starting afresh (use --resume to continue it)`);

  // Data: the form (plain text, instruction, chat), cleaned and split, before the model is downloaded.
  const { prepared, trainFile } = await readGenerativeData(o.data, o.validation, o.textColumn);
  const { report } = prepared;
  say(
    `data: ${report.kind}${report.alpaca ? ' (Alpaca columns: instruction + input as the prompt, output as the completion)' : ''}; ` +
      `${prepared.train.length} training and ${prepared.validation.length} validation rows`,
  );
  for (const issue of report.issues)
    say(`data: ${issue.count} ${issue.kind.replace(/-/g, ' ')} dropped (${issue.examples.join('; ')})`);

  const backend = await startBackend(o.backend);
  const base = await loadModel(o.model, o.hub, requireDecoder);
  // The model as this run trains it: with ChatML's tokens and template when chat data meets a model without one.
  const files = decoderFilesForRun(
    {
      config: base.config as HFConfig,
      weights: base.weights,
      tokenizerFiles: base.tokenizerFiles,
      generationConfig: await readGenerationConfig(base.source),
    },
    report.kind,
    base.displayName,
  );
  const { config, generationConfig } = files;
  const model = buildCausalLM(config, files.weights, { seed: o.training.seed, modelName: base.displayName });
  try {
    let setup;
    try {
      setup = setUpCausalLmRun(
        {
          name: base.displayName,
          tokenizerFiles: files.tokenizerFiles,
          generationConfig,
          chatMlAdded: files.chatMlAdded,
        },
        model.dims,
        model.maxLength,
        prepared,
        o.causalLm,
      );
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const { data } = setup;
    if (files.chatMlAdded)
      say(`note: ${chatMlNote(base.displayName, (base.config as HFConfig).vocab_size, config.vocab_size)}`);
    const d = data.options;
    say(`tokens: ${describeCausalLmExamples(report.kind, data)}`);
    const tooLong = data.issues.find((i) => i.kind === 'too-long');
    if (tooLong)
      say(
        `data: ${tooLong.count} rows are longer than ${d.block_size} tokens and lose ${tooLong.tokensLost} tokens`,
      );

    refuseEvaluationsWithoutValidation(o.training.eval_strategy, data.validation.length);
    // The run service fits the arguments to the data; the CLI adds its own checkpoint schedule (run-training.ts).
    const plan = planRun(o.training, data.train.length, data.validation.length);
    const args =
      plan.args.save_steps > 0
        ? plan.args
        : { ...plan.args, save_steps: Math.min(plan.updatesPerEpoch, DEFAULT_SAVE_STEPS) };
    if (args.mode === 'head')
      throw new CliError('--mode head trains a classifier’s new head; a causal LM has none');
    const modeProblem = chatMlModeProblem(files.chatMlAdded, args.mode, base.displayName);
    if (modeProblem) throw new CliError(`--mode ${args.mode}: ${modeProblem}`);
    const projectLora: CliCausalLmRunRecord['lora'] =
      args.mode === 'lora'
        ? await attachCliLora(model, 'CAUSAL_LM', o, { seed: args.seed, modelName: base.displayName }, say)
        : undefined;
    const progress = new TrainProgress(
      plan.totalSteps,
      args.gradient_accumulation_steps,
      plan.updatesPerEpoch,
      resumeFrom?.globalStep ?? 0,
    );
    const run = await trainUnderCli(progress, o.out, resumeFrom, (hooks) =>
      fineTune({
        task: causalLmRunTask(setup),
        model: progress.watchCausalLm(model),
        train: data.train,
        validation: data.validation,
        args,
        backend: backend.name,
        hooks,
        onPhase: (phase) => progress.onPhase(phase),
        evaluateExported: causalLmEvaluator(setup),
      }),
    );
    if (!run) return 130;

    const onValidation = run.evaluatedOn === 'validation';
    if (!onValidation) say('note: no validation rows; the final evaluation is on the training examples');
    const evaluation = await run.evaluate();
    const result = run.result;
    const summary = causalLmDataSummary(
      trainFile,
      prepared,
      data,
      o.validation
        ? { kind: 'file', validationFileName: basename(o.validation) }
        : { kind: 'random', validationFraction: DEFAULT_SPLIT.validationShare, seed: DEFAULT_SPLIT.seed },
      setup.chatTemplateAdded,
    );
    const folder = buildCausalLmExportFolder({
      modelName: basename(resolve(o.out)),
      baseModel: {
        hubId: base.hubId,
        displayName: base.displayName,
        architecture: model.architecture,
        config,
        files: modelFileBytes({ ...base, tokenizerFiles: files.tokenizerFiles }),
      },
      generationConfig,
      weights: await mergedWeights(model),
      dataset: summary,
      // The recipe fitted to the data: the CLI's own checkpoint schedule (save_steps) is not part of it.
      hyperparameters: causalLmHyperparameters(plan.args, d),
      logHistory: result.logHistory,
      finalEvaluation: evaluation,
      run: {
        backend: backend.name,
        webtuneVersion: WEBTUNE_VERSION,
        trainedIn: 'cli',
        tfjsVersion: tf.version.tfjs,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        trainRuntimeSeconds: result.logHistory.find((r) => r.train_runtime !== undefined)?.train_runtime,
      },
    });
    if (model.lora) {
      const kind = o.export;
      const out = await loraExportFiles(model.lora, folder.files, kind, base.hubId ?? base.displayName);
      await writeExportFolder(o.out, out, kind === 'adapter' ? new Map() : folder.streamed);
    } else await writeExportFolder(o.out, folder.files, folder.streamed);
    await removeCheckpoint(o.out);
    const record: CliCausalLmRunRecord = {
      format: 'webtune-cli-run',
      version: 1,
      task: 'causal-lm',
      data: {
        train: await fileRecord(o.data),
        ...(o.validation ? { validation: await fileRecord(o.validation) } : {}),
      },
      ...(o.textColumn !== undefined ? { textColumn: o.textColumn } : {}),
      // The arguments as set: the CLI's own checkpoint schedule (save_steps) is not part of the recipe.
      args: o.training,
      baseModel: { hubId: base.hubId, displayName: base.displayName, config: base.config as HFConfig },
      causalLm: causalLmExampleFacts(setup, causalLmPadId(model), model.maxLength),
      ...(projectLora ? { lora: projectLora } : {}),
    };
    await writeRunRecord(o.out, record);
    if (o.project) {
      await writeCausalLmProject(o.project, record, prepared, {
        runName: basename(resolve(o.out)),
        includeData: o.projectData,
      });
      say(`project: ${o.project} (accelerate launch train.py there reproduces this run with the Trainer)`);
    }
    const generation =
      evaluation.eval_bleu !== undefined
        ? `, BLEU ${evaluation.eval_bleu.toFixed(2)}, ROUGE-L ${evaluation.eval_rougeL!.toFixed(4)}`
        : '';
    say(
      `done: ${o.out} (eval_loss ${evaluation.eval_loss.toFixed(4)}, perplexity ${evaluation.perplexity.toFixed(2)}` +
        `${generation} on ${onValidation ? data.validation.length : data.train.length} examples)`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
