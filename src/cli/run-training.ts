// `npm run train`, step by step: backend, data, model, tokens (cached), classifier, the run service
// (core/run/fine-tune.ts, as the app's worker) with progress and checkpoints in --out, then the export folder.
// Returns the exit code.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { TrainCliOptions } from './args';
import { buildClassifier } from '../core/models/build';
import type { HFConfig } from '../core/models/types';
import { loadTokenizer } from '../core/tokenize/tokenizer';
import type { TrainerCheckpoint } from '../core/train/trainer';
import { fineTune, planRun } from '../core/run/fine-tune';
import { classifierEvaluator } from '../core/run/sequence-classification';
import { sequenceClassificationTask } from '../core/tasks/sequence-classification';
import { checkpointPath, loadCheckpoint, removeCheckpoint } from './checkpoint-file';
import { exportRun } from './export-run';
import { CliError } from './fail';
import { loadModel, readModelConfig } from './load-model';
import { attachCliLora } from './run-lora';
import { defaultTask, describeModel, descriptorFor, tasksOf } from '../core/models/registry';
import { noOnnxReason } from '../core/export/onnx/classifier';
import { runCausalLmTraining } from './run-causal-lm';
import { prepareTrainingData } from './prepare-data';
import { fileRecord, writeRunRecord, type CliRunRecord } from './run-record';
import { writeProject } from './write-project';
import { startBackend } from './start-backend';
import { tokenizeCached } from './tokenize-cache';
import { refuseEvaluationsWithoutValidation, trainUnderCli } from './train-controls';
import { TrainProgress } from './train-progress';

const DEFAULT_SAVE_STEPS = 200;

const say = (text: string) => process.stderr.write(`${text}\n`);

export async function runTraining(o: TrainCliOptions): Promise<number> {
  // The task: as given, else what the model is; a model that cannot do the given task is refused on config.json.
  const { config, name } = await readModelConfig(o.model, o.hub);
  const descriptor = descriptorFor(config, name);
  const task = o.task ?? defaultTask(descriptor);
  if (!tasksOf(descriptor).includes(task)) throw new CliError(describeModel(config, name));
  if (task === 'causal-lm') return runCausalLmTraining(o);
  const stray = Object.keys(o.causalLm)[0];
  if (stray)
    throw new CliError(
      `--${stray.replace(/_/g, '-')} applies only with --task causal-lm (this run is sequence-classification)`,
    );
  if (descriptor.kind === 'decoder') refuseForDecoderClassifier(o, descriptor.label, name);
  const startedAt = new Date();
  const resumeFrom: TrainerCheckpoint | undefined = o.resume ? await loadCheckpoint(o.out) : undefined;
  if (!o.resume && existsSync(checkpointPath(o.out)))
    say(`note: ${checkpointPath(o.out)} exists; starting afresh (use --resume to continue it)`);

  const data = await prepareTrainingData(o.data, o.validation, o);
  const { prepared } = data;
  say(
    `data: ${prepared.train.length} training and ${prepared.validation.length} validation rows, ` +
      `labels ${prepared.labels.join(', ')}`,
  );
  const backend = await startBackend(o.backend);
  // The task was checked against the model's kind above: an encoder, or a decoder with its score head.
  const base = await loadModel(o.model, o.hub);
  const tokenizer = loadTokenizer(base.tokenizerFiles, { model: base.displayName, maxLength: o.maxLength });
  const tokens = await tokenizeCached(
    tokenizer,
    base.tokenizerFiles,
    [prepared.train, prepared.validation],
    o.maxLength,
  );
  const [trainSet, validationSet] = tokens.sets as [(typeof tokens.sets)[0], (typeof tokens.sets)[0]];
  say(`tokens: ${tokens.cached ? 'read from the cache' : 'tokenised'} (max length ${o.maxLength})`);

  refuseEvaluationsWithoutValidation(o.training.eval_strategy, validationSet.length);
  // The run service fits the arguments to the data (no evaluations without validation rows). A killed run
  // resumes from its last checkpoint, so the CLI always makes some: without --save-steps, every epoch or every
  // 200 steps, whichever comes first (besides those after each evaluation).
  const plan = planRun(o.training, trainSet.length, validationSet.length);
  const args =
    plan.args.save_steps > 0
      ? plan.args
      : { ...plan.args, save_steps: Math.min(plan.updatesPerEpoch, DEFAULT_SAVE_STEPS) };
  const model = buildClassifier(base.config as HFConfig, base.weights, {
    numLabels: prepared.labels.length,
    seed: args.seed,
    modelName: base.displayName,
    // A decoder whose config.json has no pad_token_id pads (and pools) with the tokenizer's, else eos.
    padTokenId: tokenizer.padTokenId,
  });
  if (descriptor.kind === 'decoder')
    say(
      `model: ${base.displayName} as ${descriptor.tasks['sequence-classification'].className} ` +
        `(score on the last token; pad_token_id ${model.config.pad_token_id}); ${noOnnxReason(descriptor.modelType)}`,
    );
  let projectLora: CliRunRecord['lora'];
  if (args.mode === 'lora') {
    try {
      projectLora = await attachCliLora(
        model,
        'SEQ_CLS',
        o,
        { seed: args.seed, modelName: base.displayName },
        say,
      );
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  const progress = new TrainProgress(
    plan.totalSteps,
    args.gradient_accumulation_steps,
    plan.updatesPerEpoch,
    resumeFrom?.globalStep ?? 0,
  );
  const run = await trainUnderCli(progress, o.out, resumeFrom, (hooks) =>
    fineTune({
      task: sequenceClassificationTask,
      model: progress.watch(model),
      train: trainSet,
      validation: validationSet,
      args,
      backend: backend.name,
      hooks,
      onPhase: (phase) => progress.onPhase(phase),
      evaluateExported: classifierEvaluator(prepared.labels),
    }),
  );
  if (!run) return 130;

  if (run.evaluatedOn === 'train')
    say('note: no validation rows; the final evaluation is on the training rows');
  const evaluation = await run.evaluate();
  await exportRun({
    outDir: o.out,
    base,
    model,
    labels: prepared.labels,
    dataset: data.summary,
    args: plan.args,
    maxLength: o.maxLength,
    logHistory: run.result.logHistory,
    finalEvaluation: evaluation,
    backend: backend.name,
    startedAt,
    loraExport: o.export,
  });
  await removeCheckpoint(o.out);
  model.dispose();
  const record: CliRunRecord = {
    format: 'webtune-cli-run',
    version: 1,
    data: {
      train: await fileRecord(o.data),
      ...(o.validation ? { validation: await fileRecord(o.validation) } : {}),
    },
    columns: { textColumn: o.textColumn, textPairColumn: o.textPairColumn, labelColumn: o.labelColumn },
    maxLength: o.maxLength,
    // The arguments as set: the CLI's own checkpoint schedule (save_steps) is not part of the recipe.
    args: o.training,
    baseModel: {
      hubId: base.hubId,
      displayName: base.displayName,
      config: base.config as HFConfig,
    },
    ...(projectLora ? { lora: projectLora } : {}),
  };
  await writeRunRecord(o.out, record);
  if (o.project) {
    await writeProject(o.project, record, data, {
      runName: basename(resolve(o.out)),
      includeData: o.projectData,
    });
    say(`project: ${o.project} (accelerate launch train.py there reproduces this run with the Trainer)`);
  }
  say(
    `done: ${o.out} (accuracy ${evaluation.accuracy.toFixed(4)}, macro F1 ${evaluation.macroF1.toFixed(4)} ` +
      `on ${run.evaluatedOn === 'train' ? trainSet.length : validationSet.length} rows)`,
  );
  return 0;
}

/**
 * What a decoder's sequence-classification run cannot do yet, refused before any data is read: LoRA (PEFT's
 * SEQ_CLS saves `score` for these models, WebTune's adapters save `classifier`) and the Trainer project (its
 * train.py is written for the encoders' heads).
 */
function refuseForDecoderClassifier(o: TrainCliOptions, label: string, name: string): void {
  const what = `${name} is a ${label} decoder; as a sequence classifier WebTune trains it with --mode full, head or frozen-embeddings`;
  if (o.training.mode === 'lora')
    throw new CliError(
      `${what}: --mode lora is not supported for a decoder's sequence-classification head yet`,
    );
  if (o.project)
    throw new CliError(
      `${what}: --project (the Trainer project) is written for encoder classifiers only; train without it`,
    );
}
