// RobertaForSequenceClassification as an ONNX graph, as roberta.ts builds it: BERT's embeddings and layers
// with position ids counted over non-padding tokens from padding_idx + 1, token type 0, and the dense + tanh
// + out_proj head on <s>. Inputs input_ids and attention_mask only, as optimum exports RoBERTa.
import { bertEmbeddingsLayer, bertEncoderLayers, logitsOutput, tokenInput } from './bert-onnx';
import { type OnnxBuild, firstTokenLayer, linearLayer } from './layers-onnx';

/** create_position_ids_from_input_ids: cumsum(ids != pad) · (ids != pad) + pad, in int64. */
export function robertaPositionIdsLayer(b: OnnxBuild, inputIds: string): string {
  const { g } = b;
  const pad = g.int64Scalar(b.dims.padTokenId);
  const notPad = g.op('Cast', [g.op('Not', [g.op('Equal', [inputIds, pad])])], { to: 7 }, 'position_mask');
  const counted = g.op('Mul', [g.op('CumSum', [notPad, g.int64Scalar(1)]), notPad]);
  return g.op('Add', [counted, pad], {}, 'position_ids');
}

/** RobertaClassificationHead: dense + tanh on <s>, then out_proj (dropout is the identity). */
export function robertaClassifierLayer(b: OnnxBuild, hidden: string, numLabels: number): string {
  const h = b.dims.hiddenSize;
  const dense = linearLayer(b, firstTokenLayer(b, hidden), 'classifier.dense', h, h);
  const activated = b.g.op('Tanh', [dense], {}, 'classifier.dense/tanh');
  return linearLayer(b, activated, 'classifier.out_proj', numLabels, h);
}

export function buildRobertaOnnx(b: OnnxBuild, numLabels: number): void {
  const inputIds = tokenInput(b, 'input_ids');
  const attentionMask = tokenInput(b, 'attention_mask');
  const embedded = bertEmbeddingsLayer(b, 'roberta', inputIds, robertaPositionIdsLayer(b, inputIds), null);
  const hidden = bertEncoderLayers(b, 'roberta', embedded, attentionMask);
  logitsOutput(b, robertaClassifierLayer(b, hidden, numLabels), numLabels);
}
