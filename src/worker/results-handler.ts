// Answers the results requests (Evaluate, Playground, Export) on the classifier registered in results-state.
// Each request gets exactly one reply or error with its id; nothing here throws to the caller.
import * as tf from '@tensorflow/tfjs';
import { buildExportFolder } from '../core/export/bundle';
import { exportListing } from '../core/export/listing';
import { classifierWeights } from '../core/export/classifier-weights';
import { zipExport } from '../core/export/zip';
import { buildClassifier } from '../core/models/build';
import { loraExportFiles } from '../core/lora/export';
import { mergedWeights } from '../core/lora/merge';
import { trainedClassifier } from '../core/lora/trained-classifier';
import { trainingBudget } from './training-budget';
import type { LoadedModel } from './model-session';
import type { ResultsEvent, ResultsReply, ResultsRequest } from './protocol';
import { assembleExportInputs, exportModelName } from './results-export-inputs';
import { predictProbabilities } from './results-predict';
import { runProjectZip } from './results-project';
import { evaluationDetails, predictionsCsv } from './results-shape';
import {
  lastEvaluation,
  resultsInfo,
  resultsModel,
  setLastEvaluation,
  setResultsModel,
  type ResultsModel,
} from './results-state';
import { labelledExamples, readTextRows } from './results-table';

export type PostResults = (event: ResultsEvent, transfer?: Transferable[]) => void;

/** Registers a stored run's model as the results model (the training session does it: it knows the runs). */
export type OpenRun = (runId: string) => Promise<void>;

export async function handleResultsRequest(
  request: ResultsRequest,
  loaded: LoadedModel | undefined,
  post: PostResults,
  openRun?: OpenRun,
): Promise<void> {
  try {
    const [reply, transfer] = await answer(request, loaded, openRun);
    post({ type: 'results-reply', id: request.id, reply }, transfer);
  } catch (err) {
    post({
      type: 'results-error',
      id: request.id,
      message: err instanceof Error ? err.message : String(err),
    });
  }
}

async function answer(
  request: ResultsRequest,
  loaded: LoadedModel | undefined,
  openRun: OpenRun | undefined,
): Promise<[ResultsReply, Transferable[]?]> {
  switch (request.type) {
    case 'results-info':
      return [{ kind: 'info', info: resultsInfo() }];
    case 'results-open-run':
      if (!openRun) throw new Error('Stored runs cannot be opened here');
      await openRun(request.runId);
      return [{ kind: 'info', info: resultsInfo() }];
    case 'results-use-loaded':
      if (!loaded) throw new Error('Load a model first (Model step)');
      useLoadedModel(loaded);
      return [{ kind: 'info', info: resultsInfo() }];
    case 'results-predict': {
      const model = required();
      const probabilities = await predictProbabilities(
        model,
        request.texts,
        model.pairs ? request.pairs : undefined,
      );
      return [{ kind: 'probabilities', labels: [...model.labels], probabilities }];
    }
    case 'results-predict-file': {
      const model = required();
      const rows = await readTextRows(request.file, request.file.name, model.pairs);
      const probabilities = await predictProbabilities(model, rows.texts, rows.pairs);
      const csv = new TextEncoder().encode(
        predictionsCsv(model.labels, rows.texts, rows.pairs, probabilities),
      );
      const fileName = `${request.file.name.replace(/\.[^.]+$/, '')}-predictions.csv`;
      return [{ kind: 'file', fileName, rows: rows.texts.length, csv }, [csv.buffer]];
    }
    case 'results-evaluate': {
      const model = required();
      let examples = model.validation;
      let source = 'the validation split';
      if (request.file) {
        const rows = await readTextRows(request.file, request.file.name, model.pairs);
        examples = labelledExamples(rows, model.labels, request.file.name);
        source = request.file.name;
      }
      if (!examples || examples.length === 0) {
        throw new Error(
          'No validation set is registered for this model: give a labelled file to evaluate on',
        );
      }
      const probabilities = await predictProbabilities(
        model,
        examples.map((e) => e.text),
        model.pairs ? examples.map((e) => e.text2 ?? '') : undefined,
      );
      const details = evaluationDetails(model.labels, examples, probabilities, source);
      setLastEvaluation(details);
      return [{ kind: 'evaluation', details }];
    }
    case 'results-export': {
      const model = required();
      const modelName = exportModelName(model.hubId ?? model.base.facts.name, model.origin);
      const inputs = assembleExportInputs({
        modelName,
        base: {
          name: model.base.facts.name,
          hubId: model.hubId,
          revision: model.revision,
          architecture: model.classifier.architecture,
          // The classifier's config: a decoder's carries the pad_token_id its score pooled by.
          config: model.classifier.config,
          tokenizerFiles: model.base.pretrained.tokenizerFiles,
        },
        labels: model.labels,
        // With LoRA, the ordinary folder holds the merged model (W + scale·B·A), loadable without PEFT.
        weights: model.classifier.lora
          ? await mergedWeights(model.classifier)
          : await classifierWeights(model.classifier.variables),
        training: model.training,
        evaluation: lastEvaluation(),
        backend: tf.getBackend(),
        tfjsVersion: tf.version_core,
      });
      // The weight files are streamed into the zip from the weights read above: the zip is the only copy.
      const folder = buildExportFolder(inputs);
      let { files, streamed } = folder;
      const lora = model.classifier.lora;
      if (lora) {
        // The same files as the CLI's --export (core/lora/export.ts); the adapter alone needs no merged weights.
        const kind = request.loraExport ?? 'both';
        const base = model.hubId
          ? `${model.hubId}${model.revision && model.revision !== 'main' ? `@${model.revision}` : ''}`
          : model.base.facts.name;
        files = await loraExportFiles(lora, folder.files, kind, base);
        if (kind === 'adapter') streamed = new Map();
      }
      // A stored run's files carry the time its weights were stored: downloading it again gives the same bytes.
      const savedAt = model.run?.savedAt;
      const zip = zipExport(
        files,
        { folder: modelName, ...(savedAt !== undefined ? { mtime: new Date(savedAt) } : {}) },
        streamed,
      );
      return [
        { kind: 'zip', fileName: `${modelName}-webtune.zip`, files: exportListing(files, streamed), zip },
        [zip.buffer],
      ];
    }
    case 'results-budget':
      if (!loaded) throw new Error('Load a model first (Model step)');
      return [{ kind: 'budget', budget: trainingBudget(loaded, request.numLabels, request.lora) }];
    case 'results-project': {
      const { fileName, files, zip } = await runProjectZip(required(), request.includeData);
      return [{ kind: 'zip', fileName, files, zip }, [zip.buffer]];
    }
    case 'causal-lm-info':
    case 'causal-lm-export':
    case 'causal-lm-project':
    case 'measure-step-time':
      // The training worker answers these from its training session (causal-lm-results.ts, the estimate).
      throw new Error(`${request.type} is answered by the training session`);
  }
}

function required(): ResultsModel {
  const model = resultsModel();
  if (!model) throw new Error('No model to use yet: train one, or use a loaded classifier as it is');
  return model;
}

/**
 * The checkpoint's own head, used unchanged: only for a sequence classifier that names its labels; or, with a
 * PEFT adapter loaded (Model step), base + adapter with the adapter's head.
 */
function useLoadedModel(loaded: LoadedModel): void {
  if (loaded.adapter) {
    const { model, labels } = trainedClassifier(
      { config: loaded.config, weights: loaded.pretrained.weights, name: loaded.facts.name },
      loaded.adapter.adapter,
    );
    setResultsModel({
      classifier: model,
      tokenizer: loaded.tokenizer,
      labels,
      maxLength: loaded.facts.maxLength,
      base: loaded,
      pairs: false,
      origin: 'as-loaded',
      owned: true,
    });
    return;
  }
  const labels = loaded.facts.labels;
  if (labels.length === 0) {
    throw new Error(
      `Model ${loaded.facts.name} has no classification head with labels of its own: fine-tune it first`,
    );
  }
  const classifier = buildClassifier(loaded.config, loaded.pretrained.weights, {
    numLabels: labels.length,
    seed: 0,
    modelName: loaded.facts.name,
    padTokenId: loaded.tokenizer.padTokenId,
  });
  const fresh = classifier.loadReport?.initialized ?? [];
  if (fresh.length > 0) {
    classifier.dispose();
    throw new Error(
      `Model ${loaded.facts.name} lacks trained head weights (${fresh.slice(0, 3).join(', ')}): fine-tune it first`,
    );
  }
  setResultsModel({
    classifier,
    tokenizer: loaded.tokenizer,
    labels: [...labels],
    maxLength: loaded.facts.maxLength,
    base: loaded,
    pairs: false,
    origin: 'as-loaded',
    owned: true,
  });
}
