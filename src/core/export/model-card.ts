// The exported README.md: a model card as the Hub reads it (YAML front matter, then Markdown). Every figure
// in it comes from the export's inputs; what the card cannot know, it does not claim.
import { hasOnnxExport, noOnnxReason } from './onnx/classifier';
import { exportedBackend } from '../backend-info';
import type { IssueKind } from '../data/prepare';
import { sequenceClassificationTask } from '../tasks/sequence-classification';
import { sequenceClassificationClass, TRANSFORMERS_LAYOUT_VERSION } from './config';
import { fixed4, mdCode, mdTable, mdText } from './markdown';
import type { ClassMetrics, DataIssue, ExportInputs, LogHistoryEntry } from './types';
import { toYaml, type YamlValue } from './yaml';

/** A class ratio at or above this is called an imbalance in the card. */
const IMBALANCE_RATIO = 1.5;

/** Eval timings are logged but say nothing about the model; they stay in metrics.json. */
const TIMING_KEYS = new Set(['eval_runtime', 'eval_samples_per_second', 'eval_steps_per_second']);

const EVAL_HEADINGS: Record<string, string> = {
  eval_loss: 'Validation loss',
  eval_accuracy: 'Accuracy',
  eval_f1: 'Macro F1',
  eval_macro_f1: 'Macro F1',
  eval_f1_macro: 'Macro F1',
  eval_weighted_f1: 'Weighted F1',
  eval_f1_weighted: 'Weighted F1',
  eval_precision: 'Precision',
  eval_recall: 'Recall',
};

/** Every kind the cleaning report has, as the card says it (a missing or misspelt kind does not compile). */
const ISSUE_PHRASES: Record<IssueKind, string> = {
  'label-spellings': 'rows whose label was spelled differently (case or spaces) and merged',
  'empty-labels': 'rows with an empty label',
  'empty-texts': 'rows with an empty text',
  duplicates: 'exact duplicate rows',
  conflicts: 'rows whose text also appears with another label',
  'long-texts': 'texts longer than the maximum length',
  'rare-classes': 'rows of classes too rare to learn',
  imbalance: 'rows of over-represented classes',
};

export function baseModelName(inputs: ExportInputs): string {
  const base = inputs.baseModel;
  return base.hubId ?? base.displayName ?? 'a local model';
}

export function modelCardFrontMatter(inputs: ExportInputs): { [key: string]: YamlValue } {
  const { finalEvaluation: evaluation, dataset } = inputs;
  const metrics: YamlValue[] = [
    { type: 'accuracy', value: evaluation.accuracy, name: 'Accuracy' },
    { type: 'f1', value: evaluation.macroF1, name: 'Macro F1', args: { average: 'macro' } },
  ];
  if (evaluation.weightedF1 !== undefined) {
    metrics.push({
      type: 'f1',
      value: evaluation.weightedF1,
      name: 'Weighted F1',
      args: { average: 'weighted' },
    });
  }
  if (evaluation.loss !== undefined) metrics.push({ type: 'loss', value: evaluation.loss, name: 'Loss' });
  const tags = ['webtune', 'text-classification', inputs.baseModel.architecture, ...(inputs.tags ?? [])];
  return {
    library_name: 'transformers',
    ...(inputs.baseModel.hubId ? { base_model: inputs.baseModel.hubId } : {}),
    ...(inputs.license ? { license: inputs.license } : {}),
    ...(inputs.language?.length ? { language: inputs.language } : {}),
    pipeline_tag: sequenceClassificationTask.pipelineTag,
    tags: [...new Set(tags)],
    ...(dataset.hubId ? { datasets: [dataset.hubId] } : {}),
    metrics: ['accuracy', 'f1'],
    'model-index': [
      {
        name: inputs.modelName,
        results: [
          {
            task: { type: 'text-classification', name: 'Text Classification' },
            dataset: {
              name: dataset.fileName,
              type: dataset.hubId ?? dataset.fileName,
              split: 'validation',
            },
            metrics,
          },
        ],
      },
    ],
  };
}

export function buildModelCard(inputs: ExportInputs): string {
  const sections = [
    `---\n${toYaml(modelCardFrontMatter(inputs))}---`,
    summary(inputs),
    intendedUse(inputs),
    trainingData(inputs),
    trainingProcedure(inputs),
    evaluation(inputs),
    limitations(inputs),
    frameworks(inputs),
  ];
  return `${sections.join('\n\n')}\n`;
}

function summary(inputs: ExportInputs): string {
  const { baseModel, dataset, finalEvaluation: ev, run } = inputs;
  const base = baseModel.hubId
    ? `[${mdText(baseModel.hubId)}](https://huggingface.co/${baseModel.hubId})`
    : mdText(baseModelName(inputs));
  const lines = [
    `# ${mdText(inputs.modelName)}`,
    '',
    `This model is a fine-tuned version of ${base} (${sequenceClassificationClass(baseModel.architecture)}) ` +
      `on ${mdCode(dataset.fileName)}, trained ${run.trainedIn === 'cli' ? "with WebTune's command line (Node.js)" : 'in the browser with WebTune'} ${mdText(run.webtuneVersion)} ` +
      `on the ${mdText(exportedBackend(run.backend))} backend. It sorts ${inputText(inputs)} into ${inputs.labels.length} ` +
      `labels: ${inputs.labels.map(mdText).join(', ')}.`,
    '',
    `On the validation split (${dataset.validationRows} rows), the exported weights reach:`,
    '',
    `- Accuracy: ${fixed4(ev.accuracy)}`,
    `- Macro F1: ${fixed4(ev.macroF1)}`,
  ];
  if (ev.weightedF1 !== undefined) lines.push(`- Weighted F1: ${fixed4(ev.weightedF1)}`);
  if (ev.loss !== undefined) lines.push(`- Loss: ${fixed4(ev.loss)}`);
  return lines.join('\n');
}

function isPair(inputs: ExportInputs): boolean {
  return inputs.dataset.textColumns.length > 1;
}

function inputText(inputs: ExportInputs): string {
  return isPair(inputs) ? 'pairs of texts' : 'texts';
}

function intendedUse(inputs: ExportInputs): string {
  const { dataset } = inputs;
  const example = isPair(inputs)
    ? 'classifier({"text": "first text", "text_pair": "second text"})'
    : 'classifier("A text to classify.")';
  return [
    '## Intended use',
    '',
    `Classifying ${inputText(inputs)} like those in ${mdCode(dataset.fileName)} ` +
      `(column${dataset.textColumns.length > 1 ? 's' : ''} ${dataset.textColumns.map(mdCode).join(' and ')}) ` +
      `into the labels of column ${mdCode(dataset.labelColumn)}. The folder loads unchanged with ` +
      "`AutoModelForSequenceClassification` and `AutoTokenizer` from Python's transformers, and back into WebTune:",
    '',
    '```python',
    'from transformers import pipeline',
    '',
    `classifier = pipeline("text-classification", model="path/to/${inputs.modelName.replace(/["\\\n]/g, '_')}")`,
    example,
    '```',
    '',
    ...transformersJsUsage(inputs),
    '',
    'It was evaluated only on a held-out part of the same data; check it on your own data before relying on it.',
  ].join('\n');
}

/**
 * transformers.js runs the ONNX files in onnx/ in a web page or in Node: v2 (@xenova/transformers) loads
 * model_quantized.onnx by default, v3 (@huggingface/transformers) picks the file by dtype. Its
 * text-classification pipeline takes single texts only, so pairs go through the tokenizer and the model.
 */
function transformersJsUsage(inputs: ExportInputs): string[] {
  if (!hasOnnxExport(inputs.baseModel.architecture))
    return [`This folder has no \`onnx/\` files: ${mdText(noOnnxReason(inputs.baseModel.architecture))}.`];
  const folder = inputs.modelName.replace(/['\\\n]/g, '_');
  const load = [
    "import { env, pipeline, AutoTokenizer, AutoModelForSequenceClassification } from '@huggingface/transformers';",
    '',
    '// Serve this folder with your page (or point env.localModelPath at its parent in Node).',
    "env.localModelPath = '/models/';",
    'env.allowRemoteModels = false;',
  ];
  const body = isPair(inputs)
    ? [
        `const tokenizer = await AutoTokenizer.from_pretrained('${folder}');`,
        `const model = await AutoModelForSequenceClassification.from_pretrained('${folder}', { dtype: 'q8' });`,
        "const { logits } = await model(await tokenizer('first text', { text_pair: 'second text' }));",
        'const label = model.config.id2label[logits.argmax().item()];',
      ]
    : [
        `const classifier = await pipeline('text-classification', '${folder}', { dtype: 'q8' });`,
        "const [{ label, score }] = await classifier('A text to classify.');",
      ];
  return [
    'In a web page or in Node, transformers.js runs the ONNX models of `onnx/` ' +
      "(`model_quantized.onnx`, 8-bit, is transformers.js's default; `dtype: 'fp32'` picks `model.onnx`):",
    '',
    '```js',
    ...load,
    '',
    ...body,
    '```',
  ];
}

function trainingData(inputs: ExportInputs): string {
  const { dataset } = inputs;
  const total = dataset.trainRows + dataset.validationRows;
  const split =
    dataset.split.kind === 'stratified'
      ? `a stratified split of the cleaned rows: ${(dataset.split.validationFraction * 100).toFixed(1)}% of each label ` +
        `held out for validation (seed ${dataset.split.seed})`
      : `the validation rows come from a separate file, ${mdCode(dataset.split.validationFileName)}`;
  const counts = mdTable(
    ['Label', 'Train', 'Validation', 'Share'],
    dataset.labelCounts.map((c) => [
      mdText(c.label),
      String(c.train),
      String(c.validation),
      total > 0 ? `${(((c.train + c.validation) / total) * 100).toFixed(1)}%` : '—',
    ]),
    ['l', 'r', 'r', 'r'],
  );
  return [
    '## Training data',
    '',
    `- File: ${mdCode(dataset.fileName)}${dataset.hubId ? ` (Hub dataset ${mdCode(dataset.hubId)})` : ''}`,
    `- Text column${dataset.textColumns.length > 1 ? 's' : ''}: ${dataset.textColumns.map(mdCode).join(', ')}; ` +
      `label column: ${mdCode(dataset.labelColumn)}`,
    `- Rows read: ${dataset.rowsRead}; used: ${total} (${dataset.trainRows} for training, ` +
      `${dataset.validationRows} for validation)`,
    `- Split: ${split}`,
    '',
    counts,
    '',
    dataset.issues.length
      ? `Found at import:\n\n${issuesTable(dataset.issues)}`
      : 'The import checks reported no data issues.',
  ].join('\n');
}

function issuesTable(issues: DataIssue[]): string {
  return mdTable(
    ['Issue', 'Rows', 'Action'],
    issues.map((issue) => [
      mdText(issuePhrase(issue)),
      String(issue.rows),
      mdText(issue.action + (issue.detail ? ` (${issue.detail})` : '')),
    ]),
    ['l', 'r', 'l'],
  );
}

function issuePhrase(issue: DataIssue): string {
  return ISSUE_PHRASES[issue.kind];
}

function formatValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? mdCode(value) : String(value);
}

function trainingProcedure(inputs: ExportInputs): string {
  const { hyperparameters: hp, run } = inputs;
  const rows = Object.entries(hp)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => [mdCode(name), formatValue(value)]);
  const runLines = [`- Backend: ${mdText(exportedBackend(run.backend))}`];
  if (run.trainRuntimeSeconds !== undefined) {
    runLines.push(`- Training time: ${run.trainRuntimeSeconds.toFixed(1)} s`);
  }
  if (run.startedAt) runLines.push(`- Started: ${mdText(run.startedAt)}`);
  if (run.finishedAt) runLines.push(`- Finished: ${mdText(run.finishedAt)}`);
  return [
    '## Training procedure',
    '',
    '### Hyper-parameters',
    '',
    'Under the names transformers’ `TrainingArguments` uses:',
    '',
    mdTable(['Name', 'Value'], rows, ['l', 'r']),
    '',
    ...runLines,
    '',
    '### Results per evaluation',
    '',
    evaluationHistory(inputs.logHistory),
  ].join('\n');
}

/** One row per evaluation in the log history, with the last training loss logged up to that step. */
export function evaluationHistory(history: LogHistoryEntry[]): string {
  const evals = history.filter((entry) => Object.keys(entry).some((key) => key.startsWith('eval_')));
  if (evals.length === 0) return 'No evaluation was logged during training.';
  const keys: string[] = [];
  for (const entry of evals) {
    for (const key of Object.keys(entry)) {
      if (key.startsWith('eval_') && !TIMING_KEYS.has(key) && !keys.includes(key)) keys.push(key);
    }
  }
  const rows = evals.map((entry) => {
    const lastTrain = history.filter((e) => e.loss !== undefined && e.step <= entry.step).at(-1);
    return [
      formatEpoch(entry.epoch),
      String(entry.step),
      lastTrain ? fixed4(lastTrain.loss!) : 'No log',
      ...keys.map((key) => (entry[key] === undefined ? '—' : fixed4(entry[key]))),
    ];
  });
  return mdTable(['Epoch', 'Step', 'Training loss', ...keys.map(evalHeading)], rows, [
    'r',
    'r',
    'r',
    ...keys.map(() => 'r' as const),
  ]);
}

export function evalHeading(key: string): string {
  return EVAL_HEADINGS[key] ?? key.replace(/^eval_/, '').replace(/_/g, ' ');
}

export function formatEpoch(epoch: number): string {
  return String(Number(epoch.toFixed(2)));
}

function evaluation(inputs: ExportInputs): string {
  const ev = inputs.finalEvaluation;
  const perClass = mdTable(
    ['Label', 'Precision', 'Recall', 'F1', 'Support'],
    ev.perClass.map((c) => [
      mdText(c.label),
      fixed4(c.precision),
      fixed4(c.recall),
      fixed4(c.f1),
      String(c.support),
    ]),
    ['l', 'r', 'r', 'r', 'r'],
  );
  const parts = [
    '## Evaluation',
    '',
    `The exported weights, from step ${ev.step} (epoch ${formatEpoch(ev.epoch)}), on the validation split:`,
    '',
    perClass,
  ];
  if (ev.confusionMatrix) {
    parts.push(
      '',
      'Confusion matrix (rows: true label, columns: predicted label):',
      '',
      mdTable(
        ['', ...inputs.labels.map(mdText)],
        ev.confusionMatrix.map((row, i) => [mdText(inputs.labels[i] ?? String(i)), ...row.map(String)]),
        ['l', ...inputs.labels.map(() => 'r' as const)],
      ),
    );
  }
  return parts.join('\n');
}

/** The classes with the lowest F1: those under the macro average, worst first, or the single worst one. */
export function weakestClasses(perClass: ClassMetrics[], macroF1: number): ClassMetrics[] {
  const sorted = [...perClass].sort((a, b) => a.f1 - b.f1);
  const below = sorted.filter((c) => c.f1 < macroF1).slice(0, 5);
  return below.length ? below : sorted.slice(0, 1);
}

function limitations(inputs: ExportInputs): string {
  const { dataset, finalEvaluation: ev } = inputs;
  const bullets: string[] = [];

  const weak = weakestClasses(ev.perClass, ev.macroF1);
  const trainCount = (label: string) => dataset.labelCounts.find((c) => c.label === label)?.train;
  bullets.push(
    `**Weakest ${weak.length > 1 ? 'classes' : 'class'}.** ${weak
      .map((c) => {
        const train = trainCount(c.label);
        return (
          `${mdText(c.label)} (F1 ${fixed4(c.f1)}, precision ${fixed4(c.precision)}, recall ${fixed4(c.recall)}, ` +
          `${c.support} validation rows${train === undefined ? '' : `, ${train} training rows`})`
        );
      })
      .join(
        '; ',
      )}. Predictions of ${weak.length > 1 ? 'these labels' : 'this label'} are the least reliable.`,
  );

  const confusion = worstConfusion(inputs);
  if (confusion) bullets.push(confusion);
  bullets.push(imbalance(inputs));

  if (dataset.issues.length) {
    bullets.push(
      `**Data quality.** The import found ${dataset.issues
        .map((i) => `${i.rows} ${mdText(issuePhrase(i))} (${mdText(i.action)})`)
        .join(', ')}. ` +
        'Rows that were kept carry their problems into the model; dropped rows are cases the model never saw.',
    );
  } else {
    bullets.push(
      '**Data quality.** The import checks reported no issues; the labels were not reviewed by hand.',
    );
  }

  const n = dataset.validationRows;
  if (n > 0) {
    const halfWidth = 1.96 * Math.sqrt((ev.accuracy * (1 - ev.accuracy)) / n);
    bullets.push(
      `**Small samples.** With ${n} validation rows, the accuracy is uncertain by about ` +
        `±${(halfWidth * 100).toFixed(1)} percentage points (95% normal-approximation interval); ` +
        'per-class figures on few rows are less certain still.',
    );
  }

  const maxLength = inputs.hyperparameters.max_seq_length;
  if (maxLength !== undefined) {
    bullets.push(
      `**Length.** Texts were cut to ${maxLength} tokens in training; what comes later in a longer text ` +
        'did not inform the model.',
    );
  }

  bullets.push(
    '**Bias.** The model learns whatever patterns the training file holds, including its biases and its ' +
      'labelling mistakes, and it was evaluated only on a held-out part of that same file. It has not been ' +
      'tested for fairness across groups of people or on other kinds of text; do not use it for decisions about ' +
      'people without such checks.',
  );
  return ['## Limitations and bias', '', ...bullets.map((b) => `- ${b}`)].join('\n');
}

function worstConfusion(inputs: ExportInputs): string | undefined {
  const matrix = inputs.finalEvaluation.confusionMatrix;
  if (!matrix) return undefined;
  let best: { t: number; p: number; count: number } | undefined;
  matrix.forEach((row, t) =>
    row.forEach((count, p) => {
      if (t !== p && count > 0 && (!best || count > best.count)) best = { t, p, count };
    }),
  );
  if (!best) return '**Confusions.** No validation row was misclassified.';
  const rowTotal = matrix[best.t]!.reduce((a, b) => a + b, 0);
  return (
    `**Confusions.** The most frequent mistake is ${mdText(inputs.labels[best.t] ?? String(best.t))} ` +
    `predicted as ${mdText(inputs.labels[best.p] ?? String(best.p))} ` +
    `(${best.count} of ${rowTotal} validation rows of that label).`
  );
}

function imbalance(inputs: ExportInputs): string {
  const counts = inputs.dataset.labelCounts.map((c) => ({ label: c.label, n: c.train + c.validation }));
  const total = counts.reduce((a, c) => a + c.n, 0);
  if (counts.length === 0 || total === 0) return '**Class balance.** No label counts were recorded.';
  const largest = counts.reduce((a, c) => (c.n > a.n ? c : a));
  const smallest = counts.reduce((a, c) => (c.n < a.n ? c : a));
  const share = (n: number) => `${((n / total) * 100).toFixed(1)}%`;
  const describe =
    `The largest class, ${mdText(largest.label)}, has ${largest.n} rows (${share(largest.n)}); ` +
    `the smallest, ${mdText(smallest.label)}, has ${smallest.n} (${share(smallest.n)})`;
  if (smallest.n === 0) return `**Class imbalance.** ${describe}: the model never saw that label.`;
  const ratio = largest.n / smallest.n;
  if (ratio < IMBALANCE_RATIO) {
    return `**Class balance.** ${describe}, a ratio of ${ratio.toFixed(1)}:1, so the classes are roughly balanced.`;
  }
  return (
    `**Class imbalance.** ${describe}, a ratio of ${ratio.toFixed(1)}:1. Accuracy favours the large classes; ` +
    `the macro F1 (${fixed4(inputs.finalEvaluation.macroF1)}) weighs every label equally and is the fairer summary.`
  );
}

function frameworks(inputs: ExportInputs): string {
  const { run } = inputs;
  return [
    '## Framework versions',
    '',
    `- WebTune ${mdText(run.webtuneVersion)}`,
    `- TensorFlow.js${run.tfjsVersion ? ` ${mdText(run.tfjsVersion)}` : ''} (${mdText(exportedBackend(run.backend))} backend)`,
    `- Config and weight layout of transformers ${TRANSFORMERS_LAYOUT_VERSION}`,
  ].join('\n');
}
