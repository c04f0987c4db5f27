// Runs in Chromium (served by the Vite dev server): loads a model through the real Hub download code from the
// local mirror, builds it with the real engine on the chosen backend, and returns its outputs for the given ids.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../../src/core/backend';
import { hubSource } from '../../../src/core/hub/http-source';
import { loadPretrained } from '../../../src/core/hub/load';
import { buildClassifier } from '../../../src/core/models/build';
import type { HFConfig } from '../../../src/core/models/types';

export interface FixtureRun {
  backend: string;
  lastHiddenState: number[];
  poolerOutput?: number[];
  logits: number[];
}

export async function runFixture(args: {
  hub: string;
  id: string;
  backend: BackendName;
  numLabels: number;
  inputIds: number[][];
  attentionMask: number[][];
  tokenTypeIds?: number[][];
}): Promise<FixtureRun> {
  const info = await initBackend({ prefer: args.backend });
  const pretrained = await loadPretrained(hubSource(args.id, { endpoint: args.hub }));
  const model = buildClassifier(pretrained.config as HFConfig, pretrained.weights, {
    numLabels: args.numLabels,
    seed: 1,
    modelName: args.id,
  });
  const inputs = {
    inputIds: tf.tensor2d(args.inputIds, undefined, 'int32'),
    attentionMask: tf.tensor2d(args.attentionMask, undefined, 'int32'),
    tokenTypeIds: args.tokenTypeIds ? tf.tensor2d(args.tokenTypeIds, undefined, 'int32') : undefined,
  };
  const encoded = model.encode(inputs, { training: false });
  const logits = model.forward(inputs, { training: false });
  const run: FixtureRun = {
    backend: info.name,
    lastHiddenState: Array.from(await encoded.lastHiddenState.data()),
    poolerOutput: encoded.poolerOutput ? Array.from(await encoded.poolerOutput.data()) : undefined,
    logits: Array.from(await logits.data()),
  };
  tf.dispose([encoded.lastHiddenState, encoded.poolerOutput, logits, ...Object.values(inputs)]);
  model.dispose();
  return run;
}
