// "Download as a training project" for the results model's stored run: the run's own record (arguments, label
// order, max length, dataset config) and its rows after cleaning and the split, read back from IndexedDB, made
// into the core's Trainer project and zipped. The same builder as `npm run train --project`, by task: a causal-LM
// run's record carries its generative rows and data options (RunRecord.causalLmProject), a classifier's its dataset
// config, from which the rows are derived again.
import {
  buildTrainingProject,
  projectListing,
  type CausalLmRunDescription,
  type ProjectInputs,
  type ProjectRun,
} from '../core/export/project';
import type { ExportEntry } from '../core/export/listing';
import { zipExport } from '../core/export/zip';
import { openWebTuneDB, type WebTuneDatabase } from '../core/storage/db';
import { loadPreparedDataset } from '../core/storage/prepared';
import type { RunRecord } from '../core/storage/run-types';
import { getRun } from '../core/storage/runs';
import type { ResultsModel } from './results-state';

let dbPromise: Promise<WebTuneDatabase> | undefined;

export interface ProjectZip {
  fileName: string;
  files: ExportEntry[];
  zip: Uint8Array;
}

export async function runProjectZip(model: ResultsModel, includeData: boolean): Promise<ProjectZip> {
  if (!model.run)
    throw new Error(
      'A training project reproduces a stored run: train one, or open one from the run list (a loaded model used as it is has none)',
    );
  dbPromise ??= openWebTuneDB();
  const db = await dbPromise;
  const run = await getRun(db, model.run.id);
  if (!run) throw new Error(`Run ${model.run.name} is no longer stored (was it deleted?)`);
  const files = buildTrainingProject(
    run.causalLmProject
      ? causalLmProjectRun(run, run.causalLmProject, model, includeData)
      : await classificationProjectRun(db, run, model, includeData),
  );
  const folder = `${safeName(run.name)}-training-project`;
  const zip = zipExport(files, { folder, mtime: new Date(run.updatedAt) });
  return { fileName: `${folder}.zip`, files: projectListing(files), zip };
}

/** The base model as the project's script loads it. */
function projectBaseModel(model: ResultsModel): ProjectInputs['baseModel'] {
  return {
    hubId: model.hubId,
    revision: model.revision,
    displayName: model.base.facts.name,
    config: model.base.config,
  };
}

/** A causal-LM run: the stored run keeps its rows and how they became examples. */
function causalLmProjectRun(
  run: RunRecord,
  description: CausalLmRunDescription,
  model: ResultsModel,
  includeData: boolean,
): ProjectRun {
  return {
    ...description,
    task: 'causal-lm',
    runName: run.name,
    baseModel: projectBaseModel(model),
    args: run.args,
    includeData,
  };
}

/** A classifier's run: its rows re-derived from the stored dataset with the run's own config, checked. */
async function classificationProjectRun(
  db: WebTuneDatabase,
  run: RunRecord,
  model: ResultsModel,
  includeData: boolean,
): Promise<ProjectRun> {
  const prepared = await loadPreparedDataset(db, run.datasetId, run.datasetConfig);
  if (prepared.labels.join('\u0000') !== run.labels.join('\u0000'))
    throw new Error(
      `The dataset ${run.datasetName} now gives the labels ${prepared.labels.join(', ')}, not the run's ${run.labels.join(', ')}`,
    );
  // The stored config re-derives the run's rows; a different count would mean other rows than it trained on.
  if (prepared.train.length !== run.trainExamples || prepared.validation.length !== run.evalExamples)
    throw new Error(
      `The dataset ${run.datasetName} now gives ${prepared.train.length} training and ${prepared.validation.length} validation rows, not the ${run.trainExamples} and ${run.evalExamples} the run trained with`,
    );
  return {
    runName: run.name,
    baseModel: projectBaseModel(model),
    labels: run.labels,
    pairs: model.pairs,
    maxLength: run.maxLength,
    args: run.args,
    train: prepared.train,
    validation: prepared.validation,
    includeData,
    // A LoRA run's adapters as attached to the model it ended with; the project saves what the app's
    // download does by default: the merged model with the adapter folder beside it.
    ...(run.args.mode === 'lora' && model.classifier.lora
      ? { lora: { config: model.classifier.lora.config, export: 'both' as const } }
      : {}),
  };
}

/** A run name as a folder name: letters, digits, dots, dashes and underscores. */
function safeName(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
}
