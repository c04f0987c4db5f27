// Issue 7's round trips, for the three architectures: fine-tune a fixture classifier a few steps on wasm, export
// it with the CLI's export step, then (1) WebTune re-imports its own folder and gets identical logits,
// (2) the independent PyTorch reference (refarch.py reference) reads the folder by the transformers names and
// gives logits within 1e-4, (3) refarch.py / refbert.py predict reach exactly WebTune's final validation
// accuracy, and (4) the exported tokenizer files give the same ids as the base model's. Single texts only: the
// reference tools feed all-zero token type ids.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../src/cli/export-run';
import { loadModel } from '../../src/cli/load-model';
import { prepareTrainingData } from '../../src/cli/prepare-data';
import { predictLogits } from '../../src/core/train/predict';
import { tokenizeExamples } from '../../src/core/train/tokenize-examples';
import { initBackend } from '../../src/core/backend';
import { buildClassifier } from '../../src/core/models/build';
import type { HFConfig, SequenceClassifier } from '../../src/core/models/types';
import { loadTokenizer } from '../../src/core/tokenize/tokenizer';
import { resolveTrainingArguments } from '../../src/core/train/arguments';
import { train } from '../../src/core/train/trainer';
import { evaluateExportedWeights, exportedWeightsPoint } from '../../src/core/export/final-evaluation';
import type { TokenizedExample } from '../../src/core/train/batching';
import { writeSentimentCsv } from '../support/cli';
import { referenceForward, referencePredict } from '../support/reference';
import { sharedModelDir } from '../support/shared';

let dir: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = mkdtempSync(join(tmpdir(), 'webtune-roundtrip-'));
  writeSentimentCsv(join(dir, 'train.csv'), 32, 21);
  writeSentimentCsv(join(dir, 'dev.csv'), 24, 22);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MAX_LENGTH = 24;

/**
 * A few steps do not teach a tiny random model anything, so its predictions are often all one class, and then
 * any two implementations "agree" on accuracy. The test moves the head's output bias so that the predictions
 * split at the widest gap between the middle rows' logit margins: both classes are predicted, and no row sits
 * near the decision boundary, where float32 noise could flip it.
 */
async function splitPredictions(model: SequenceClassifier, examples: TokenizedExample[]): Promise<void> {
  const margins = (await predictLogits(model, examples, 64)).map((r) => r[1]! - r[0]!).sort((a, b) => a - b);
  const n = margins.length;
  let cut = Math.floor(n / 2);
  for (let i = Math.floor(n / 4) + 1; i < Math.ceil((3 * n) / 4); i++)
    if (margins[i]! - margins[i - 1]! > margins[cut]! - margins[cut - 1]!) cut = i;
  const shift = (margins[cut - 1]! + margins[cut]!) / 2;
  // The head's last bias is its output layer's (classifier / classifier.out_proj), one value per class.
  const name = model.headVariableNames.filter((n) => n.endsWith('.bias')).at(-1)!;
  const target = model.variables.get(name)!;
  expect(target.shape).toEqual([2]);
  tf.tidy(() => target.assign(target.sub(tf.tensor1d([0, shift]))));
}
const SAMPLE_TEXTS = [
  'A gripping, well-acted film!',
  "don't bother: it's dull… 10/10 would not watch",
  'café naïve résumé',
];

describe.each([
  ['webtune/tiny-random-bert-cls', 'BertForSequenceClassification', 'vocab.txt'],
  ['webtune/tiny-random-distilbert-cls', 'DistilBertForSequenceClassification', 'vocab.txt'],
  ['webtune/tiny-random-roberta-bpe-cls', 'RobertaForSequenceClassification', 'merges.txt'],
])('%s', (hubId, architectureClass, vocabularyFile) => {
  it('exports a folder that WebTune, PyTorch and the tokenizer read back unchanged', async () => {
    const data = await prepareTrainingData(join(dir, 'train.csv'), join(dir, 'dev.csv'), {});
    const base = await loadModel(sharedModelDir(hubId));
    const tokenizer = loadTokenizer(base.tokenizerFiles, { maxLength: MAX_LENGTH });
    const trainSet = tokenizeExamples(tokenizer, data.prepared.train, MAX_LENGTH);
    const validation = tokenizeExamples(tokenizer, data.prepared.validation, MAX_LENGTH);
    const args = resolveTrainingArguments({
      learning_rate: 2e-3,
      num_train_epochs: 1,
      per_device_train_batch_size: 8,
      eval_strategy: 'epoch',
      seed: 3,
    });
    const model = buildClassifier(base.config as HFConfig, base.weights, { numLabels: 2, seed: 3 });
    const result = await train(model, { train: trainSet, eval: validation }, args);
    await splitPredictions(model, validation);
    // The export's final evaluation is of the weights as split (the loop's last evaluation scored them before).
    const finalEvaluation = await evaluateExportedWeights(
      model,
      validation,
      args,
      data.prepared.labels,
      exportedWeightsPoint(result.logHistory, args.load_best_model_at_end, result.bestStep),
    );
    const out = join(dir, hubId.split('/')[1]!);
    await exportRun({
      outDir: out,
      base,
      model,
      labels: data.prepared.labels,
      dataset: data.summary,
      args,
      maxLength: MAX_LENGTH,
      logHistory: result.logHistory,
      finalEvaluation,
      backend: tf.getBackend(),
      startedAt: new Date(),
    });
    expect(readdirSync(out)).toContain(vocabularyFile);
    const ours = await predictLogits(model, validation, 64);
    model.dispose();
    const predictedClasses = new Set(ours.map((r) => (r[1]! > r[0]! ? 1 : 0)));
    expect(predictedClasses.size).toBe(2);

    // (1) WebTune's own re-import: same architecture, every weight found, identical logits.
    const again = await loadModel(out);
    expect((again.config as HFConfig).architectures).toEqual([architectureClass]);
    const reloaded = buildClassifier(again.config as HFConfig, again.weights, { numLabels: 2, seed: 99 });
    expect(reloaded.loadReport!.initialized).toEqual([]);
    expect(await predictLogits(reloaded, validation, 64)).toEqual(ours);
    reloaded.dispose();

    // (2) PyTorch's logits on the same padded batch, read from the exported folder.
    const width = Math.max(...validation.map((e) => e.inputIds.length));
    const pad = (again.config as HFConfig).pad_token_id ?? 0;
    const reference = await referenceForward(out, {
      input_ids: validation.map((e) => [
        ...e.inputIds,
        ...Array<number>(width - e.inputIds.length).fill(pad),
      ]),
      attention_mask: validation.map((e) =>
        e.inputIds.map(() => 1).concat(Array<number>(width - e.inputIds.length).fill(0)),
      ),
      token_type_ids: validation.map(() => Array<number>(width).fill(0)),
    });
    const diff = Math.max(
      ...reference.logits.flatMap((row, i) => row.map((x, j) => Math.abs(x - ours[i]![j]!))),
    );
    expect(diff).toBeLessThan(1e-4);

    // (3) The reference's accuracy on the validation rows is WebTune's final evaluation (same rows right).
    const rows = validation.map((e) => ({ ids: e.inputIds, label: e.label }));
    const tools = architectureClass.startsWith('Bert')
      ? (['refarch', 'refbert'] as const)
      : (['refarch'] as const);
    for (const tool of tools) {
      const predicted = await referencePredict(out, rows, tool);
      expect(predicted.rows).toBe(validation.length);
      expect(Math.round(predicted.accuracy * validation.length), tool).toBe(
        Math.round(finalEvaluation.accuracy * validation.length),
      );
    }
    // (4) The exported tokenizer (transformers.js AutoTokenizer through loadTokenizer) encodes as the base did.
    const exported = loadTokenizer(again.tokenizerFiles, { maxLength: MAX_LENGTH });
    const texts = [...SAMPLE_TEXTS, ...data.prepared.validation.map((e) => e.text)];
    expect(exported.encode(texts)).toEqual(tokenizer.encode(texts));
  }, 90_000);
});
