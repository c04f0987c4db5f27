// The check that matters most: an exported folder, written by our safetensors writer and config builder, is
// read by the independent PyTorch reference (refarch.py / refbert.py) by the transformers names, and gives
// the fixture classifiers' reference logits. Names, tensor layout and config are then what PyTorch expects.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExportFiles, modelFiles, type ExportFiles } from '../../src/core/export/bundle';
import type { Architecture } from '../../src/core/models/types';
import { writeExportFolder } from '../../src/cli/write-folder';
import { readFixtureModel, sampleInputs } from '../support/export-inputs';
import {
  referenceForward,
  referencePredict,
  type LabelledIds,
  type ReferenceInputs,
  type ReferenceOutputs,
} from '../support/reference';
import { sharedModelDir } from '../support/shared';

interface Reference extends ReferenceInputs, ReferenceOutputs {}

function readReference(hubId: string): Reference {
  return JSON.parse(readFileSync(join(sharedModelDir(hubId), 'reference.json'), 'utf8')) as Reference;
}

function maxAbsDiff(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    expect(a.length).toBe(b.length);
    return a.reduce((m: number, x, i) => Math.max(m, maxAbsDiff(x, b[i])), 0);
  }
  return Math.abs((a as number) - (b as number));
}

function argmax(row: number[]): number {
  return row.indexOf(Math.max(...row));
}

/** Rows of the reference inputs, unpadded; every other one labelled wrong on purpose. */
function labelledRows(reference: Reference): { rows: LabelledIds[]; accuracy: number } {
  const rows = reference.input_ids.map((ids, i) => {
    const length = reference.attention_mask[i]!.reduce((a, b) => a + b, 0);
    const predicted = argmax(reference.logits[i]!);
    return { ids: ids.slice(0, length), label: i % 2 === 0 ? predicted : (predicted + 1) % 3 };
  });
  const right = rows.filter((_, i) => i % 2 === 0).length;
  return { rows, accuracy: Number((right / rows.length).toFixed(4)) };
}

const CASES: { architecture: Architecture; hubId: string; tokenizer: boolean }[] = [
  { architecture: 'bert', hubId: 'webtune/tiny-random-bert-cls', tokenizer: true },
  { architecture: 'distilbert', hubId: 'webtune/tiny-random-distilbert-cls', tokenizer: true },
  { architecture: 'roberta', hubId: 'webtune/tiny-random-roberta-cls', tokenizer: false },
  { architecture: 'roberta', hubId: 'webtune/tiny-random-roberta-bpe-cls', tokenizer: true },
];

describe('an exported folder in the PyTorch reference', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'webtune-export-ref-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each(CASES)(
    '$hubId: gives the reference logits and is scored by predict',
    async ({ architecture, hubId, tokenizer }) => {
      const reference = readReference(hubId);
      let files: ExportFiles;
      let labels: string[];
      if (tokenizer) {
        const inputs = sampleInputs(hubId, architecture);
        labels = inputs.labels;
        files = buildExportFiles(inputs);
      } else {
        // No tokenizer to ship, so only the model part of the folder: config.json and model.safetensors.
        const model = readFixtureModel(hubId);
        labels = ['LABEL_0', 'LABEL_1', 'LABEL_2'];
        files = modelFiles({ architecture, baseConfig: model.config, labels, weights: model.weights });
      }
      const dir = join(root, hubId.replace('/', '--'));
      await writeExportFolder(dir, files);

      const inputs: ReferenceInputs = {
        input_ids: reference.input_ids,
        attention_mask: reference.attention_mask,
        ...(reference.token_type_ids ? { token_type_ids: reference.token_type_ids } : {}),
      };
      const { rows, accuracy } = labelledRows(reference);
      const [ours, predicted, bertPredicted] = await Promise.all([
        referenceForward(dir, inputs),
        referencePredict(dir, rows, 'refarch'),
        architecture === 'bert' ? referencePredict(dir, rows, 'refbert') : undefined,
      ]);

      const logitsDiff = maxAbsDiff(ours.logits, reference.logits);
      const hiddenDiff = maxAbsDiff(ours.last_hidden_state, reference.last_hidden_state);
      console.log(
        `${hubId}: max |logits − reference| ${logitsDiff.toExponential(2)}, ` +
          `max |last_hidden_state − reference| ${hiddenDiff.toExponential(2)}; ` +
          `refarch predict ${JSON.stringify(predicted)}` +
          (bertPredicted ? `; refbert predict ${JSON.stringify(bertPredicted)}` : ''),
      );
      expect(logitsDiff).toBeLessThan(1e-4);
      expect(hiddenDiff).toBeLessThan(1e-4);
      expect(predicted).toEqual({ accuracy, rows: rows.length });
      if (bertPredicted) {
        expect(bertPredicted.accuracy).toBe(accuracy);
        expect(bertPredicted.rows).toBe(rows.length);
        expect(typeof bertPredicted.macro_f1).toBe('number');
      }

      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(config.id2label).toEqual(Object.fromEntries(labels.map((l, i) => [String(i), l])));
    },
  );

  it('reports the reference tool’s own error when a folder is incomplete', async () => {
    const dir = join(root, 'incomplete');
    await writeExportFolder(
      dir,
      new Map([['config.json', new TextEncoder().encode('{"model_type": "bert"}')]]),
    );
    await expect(referencePredict(dir, [{ ids: [101, 102], label: 0 }])).rejects.toThrow(
      /refarch\.py predict .* failed: .*model\.safetensors/s,
    );
  });
});
