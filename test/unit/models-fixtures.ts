// Helpers shared by the model tests (unit and webgpu): fixture loading and max-|difference| measurement
// against the PyTorch reference outputs in ../shared/models/*/reference.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { readSafetensors } from '../../src/core/hub/safetensors';
import type { TensorMap } from '../../src/core/hub/tensors';
import { buildClassifier } from '../../src/core/models/build';
import type { EncoderInputs, HFConfig, SequenceClassifier } from '../../src/core/models/types';
import { sharedModelDir } from '../support/shared';

export interface Reference {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  last_hidden_state: number[][][];
  pooler_output?: number[][];
  logits?: number[][];
}

export interface Fixture {
  id: string;
  config: HFConfig;
  weights: TensorMap;
  reference: Reference;
}

export function loadFixture(id: string): Fixture {
  const dir = sharedModelDir(id);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig;
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  return { id, config, weights, reference };
}

export function fixtureInputs(reference: Reference): EncoderInputs {
  const ids = tf.tensor2d(reference.input_ids, undefined, 'int32');
  return {
    inputIds: ids,
    attentionMask: tf.tensor2d(reference.attention_mask, undefined, 'int32'),
    tokenTypeIds: reference.token_type_ids
      ? tf.tensor2d(reference.token_type_ids, undefined, 'int32')
      : undefined,
  };
}

export function maxAbsDiff(actual: ArrayLike<number>, expected: number[]): number {
  if (actual.length !== expected.length)
    throw new Error(`size ${actual.length} ≠ reference ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

export interface Measured {
  lastHiddenState: number;
  poolerOutput?: number;
  logits?: number;
}

export function formatMeasured(m: Measured): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${(v as number).toExponential(2)}`)
    .join(', ');
}

/** Builds the fixture on the current backend and measures every reference output it has (eval mode). */
export async function measureFixture(fixture: Fixture): Promise<Measured> {
  const numLabels = fixture.reference.logits?.[0]?.length ?? 2;
  const model: SequenceClassifier = buildClassifier(fixture.config, fixture.weights, {
    numLabels,
    seed: 1,
    modelName: fixture.id,
  });
  const inputs = fixtureInputs(fixture.reference);
  try {
    const encoded = model.encode(inputs, { training: false });
    const logits = model.forward(inputs, { training: false });
    const ref = fixture.reference;
    const out: Measured = {
      lastHiddenState: maxAbsDiff(await encoded.lastHiddenState.data(), ref.last_hidden_state.flat(2)),
    };
    if (ref.pooler_output) {
      if (!encoded.poolerOutput) throw new Error(`${fixture.id}: no pooler output`);
      out.poolerOutput = maxAbsDiff(await encoded.poolerOutput.data(), ref.pooler_output.flat());
    }
    if (ref.logits) out.logits = maxAbsDiff(await logits.data(), ref.logits.flat());
    tf.dispose([encoded.lastHiddenState, encoded.poolerOutput, logits]);
    return out;
  } finally {
    tf.dispose([inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
    model.dispose();
  }
}

export const FIDELITY_FIXTURES = [
  'webtune/bert-tiny-mlm',
  'webtune/bert-random-h64-a4',
  'webtune/tiny-random-bert-cls',
  'webtune/tiny-random-distilbert-cls',
  'webtune/tiny-random-roberta-cls',
  'webtune/tiny-random-roberta-bpe-cls',
];
