// Checks the weights about to be exported against what transformers' *ForSequenceClassification expects to
// load: every name under the architecture's prefix or its head, a head sized for the labels, finite values.
// A mistake here would otherwise only show when someone's `from_pretrained` silently re-initialises a tensor.
import type { TensorMap } from '../hub/tensors';
import { architectureDescriptor, classificationHead } from '../models/registry';
import type { Architecture, HFConfig } from '../models/types';

export class ExportWeightsError extends Error {}

export function checkExportWeights(
  architecture: Architecture,
  config: HFConfig,
  weights: TensorMap,
  numLabels: number,
): void {
  const spec = classificationHead(architecture);
  const backbone = architectureDescriptor(architecture);
  const prefix = `${backbone.weightPrefix}.`;
  const head = { names: spec.tensors, out: spec.outLayer };
  for (const name of head.names) {
    if (!weights.has(name)) {
      throw new ExportWeightsError(`the ${architecture} classifier has no ${name} tensor to export`);
    }
  }
  for (const [name, { shape, data }] of weights) {
    if (!name.startsWith(prefix) && !head.names.includes(name)) {
      throw new ExportWeightsError(
        `tensor ${name} is neither under ${prefix} nor part of the ${architecture} classification head`,
      );
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count) {
      throw new ExportWeightsError(
        `tensor ${name} has shape [${shape.join(', ')}] but holds ${data.length} values`,
      );
    }
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new ExportWeightsError(
          `tensor ${name} holds ${data[i]} at index ${i}: training diverged, so these weights are not exported`,
        );
      }
    }
  }
  const outWeight = weights.get(`${head.out}.weight`)!;
  // A decoder's `score` has no bias, as transformers' *ForSequenceClassification.
  const outBias = head.names.includes(`${head.out}.bias`) ? weights.get(`${head.out}.bias`) : undefined;
  if (outWeight.shape[0] !== numLabels || (outBias && outBias.shape[0] !== numLabels)) {
    throw new ExportWeightsError(
      `${head.out}.weight has ${outWeight.shape[0]} rows` +
        (outBias ? ` and ${head.out}.bias ${outBias.shape[0]} values` : '') +
        `, but there are ${numLabels} labels`,
    );
  }
  const embeddingName = `${prefix}${backbone.embeddingTensor}`;
  const embeddings = weights.get(embeddingName);
  if (!embeddings) {
    throw new ExportWeightsError(`the ${architecture} model has no ${embeddingName}`);
  }
  if (embeddings.shape[0] !== config.vocab_size) {
    throw new ExportWeightsError(
      `${embeddingName} has ${embeddings.shape[0]} rows but config.json says ` +
        `vocab_size ${config.vocab_size}`,
    );
  }
}
