// "Download as a training project" for a stored run: the run's own record read back from IndexedDB, made into the
// core's Trainer project and zipped, with the same builder as `npm run train --project`. A classifier's record
// (the results model's run) keeps its dataset config, from which its rows are derived again and checked; a causal
// LM's (the training session's last decoder run) keeps its rows as split and how they became examples
// (RunRecord.causalLmProject).
import {
  buildTrainingProject,
  projectListing,
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
import type { TrainedCausalLm } from './training-session';

let dbPromise: Promise<WebTuneDatabase> | undefined;

export interface ProjectZip {
  fileName: string;
  files: ExportEntry[];
  zip: Uint8Array;
}

/** The results model's run (a classifier trained here, or opened from the run list). */
export async function runProjectZip(model: ResultsModel, includeData: boolean): Promise<ProjectZip> {
  if (!model.run)
    throw new Error(
      'A training project reproduces a stored run: train one, or open one from the run list (a loaded model used as it is has none)',
    );
  if (model.base.kind === 'decoder')
    throw new Error(
      `${model.base.facts.name} is a decoder: the training project's train.py is written for encoder classifiers, ` +
        'so a decoder sequence-classification run has none yet (download the model itself: it loads with ' +
        'AutoModelForSequenceClassification)',
    );
  const db = await database();
  const run = await storedRun(db, model.run.id, model.run.name);
  return projectZip(run, await classificationProjectRun(db, run, model, includeData));
}

/** The last causal-LM run of this page: its stored record says which rows it trained on and how. */
export async function causalLmProjectZip(
  trained: TrainedCausalLm | undefined,
  includeData: boolean,
): Promise<ProjectZip> {
  if (!trained) throw new Error('No causal-LM run to export yet: train a decoder first');
  const db = await database();
  const run = await storedRun(db, trained.runId, trained.runId);
  if (!run.causalLmProject)
    throw new Error(`Run ${run.name} does not say how its rows became examples: train it again to export it`);
  const source = run.modelSource;
  return projectZip(run, {
    ...run.causalLmProject,
    task: 'causal-lm',
    runName: run.name,
    baseModel: {
      ...(source.kind === 'hub' ? { hubId: source.id, revision: source.revision } : {}),
      displayName: trained.loaded.facts.name,
      config: trained.loaded.config,
    },
    args: run.args,
    includeData,
    // As for a classifier: the adapters as attached, saved as the app's download does by default.
    ...(run.args.mode === 'lora' && trained.model.lora
      ? { lora: { config: trained.model.lora.config, export: 'both' as const } }
      : {}),
  });
}

async function database(): Promise<WebTuneDatabase> {
  dbPromise ??= openWebTuneDB();
  return dbPromise;
}

async function storedRun(db: WebTuneDatabase, id: string, name: string): Promise<RunRecord> {
  const run = await getRun(db, id);
  if (!run) throw new Error(`Run ${name} is no longer stored (was it deleted?)`);
  return run;
}

function projectZip(run: RunRecord, project: ProjectRun): ProjectZip {
  const files = buildTrainingProject(project);
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
