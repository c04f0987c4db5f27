// DistilBertForSequenceClassification as an ONNX graph, as distilbert.ts builds it: word + position
// embeddings (the sinusoidal table is a weight like any other by now), post-norm layers named q_lin … lin2,
// and pre_classifier + ReLU + classifier on the first token. No token_type_ids input, as optimum exports it.
import { logitsOutput, tokenInput } from './bert-onnx';
import {
  type OnnxBuild,
  activationLayer,
  additiveMaskLayer,
  firstTokenLayer,
  layerNormLayer,
  leadingPositionsLayer,
  linearLayer,
  selfAttentionLayer,
} from './layers-onnx';

export function distilBertEmbeddingsLayer(b: OnnxBuild, inputIds: string): string {
  const { g, dims } = b;
  const word = 'distilbert.embeddings.word_embeddings.weight';
  const rows = b.precision.embedding(
    g,
    word,
    b.weights.get(word, [dims.vocabSize, dims.hiddenSize]),
    inputIds,
  );
  const positions = leadingPositionsLayer(
    b,
    'distilbert.embeddings.position_embeddings.weight',
    dims.maxPositions,
    inputIds,
  );
  const sum = g.op('Add', [rows, positions], {}, 'distilbert.embeddings/sum');
  return layerNormLayer(b, sum, 'distilbert.embeddings.LayerNorm', dims.layerNormEps);
}

/** transformer.layer.{i}: attention + out_lin + residual + sa_layer_norm, then lin1 → act → lin2 + residual. */
export function distilBertLayer(b: OnnxBuild, x: string, i: number, mask: string): string {
  const { g, dims } = b;
  const h = dims.hiddenSize;
  const at = (n: string) => `distilbert.transformer.layer.${i}.${n}`;
  const context = selfAttentionLayer(
    b,
    x,
    { query: at('attention.q_lin'), key: at('attention.k_lin'), value: at('attention.v_lin') },
    mask,
    at('attention'),
  );
  const projected = linearLayer(b, context, at('attention.out_lin'), h, h);
  const attended = layerNormLayer(b, g.op('Add', [projected, x]), at('sa_layer_norm'), dims.layerNormEps);
  const inner = activationLayer(
    b,
    linearLayer(b, attended, at('ffn.lin1'), dims.intermediateSize, h),
    dims.activation,
    at('ffn.act'),
  );
  const ffn = linearLayer(b, inner, at('ffn.lin2'), h, dims.intermediateSize);
  return layerNormLayer(b, g.op('Add', [ffn, attended]), at('output_layer_norm'), dims.layerNormEps);
}

/** pre_classifier + ReLU on the first token, then the classifier (dropout is the identity). */
export function distilBertClassifierLayer(b: OnnxBuild, hidden: string, numLabels: number): string {
  const h = b.dims.hiddenSize;
  const pre = linearLayer(b, firstTokenLayer(b, hidden), 'pre_classifier', h, h);
  return linearLayer(b, b.g.op('Relu', [pre], {}, 'pre_classifier/relu'), 'classifier', numLabels, h);
}

export function buildDistilBertOnnx(b: OnnxBuild, numLabels: number): void {
  const inputIds = tokenInput(b, 'input_ids');
  const attentionMask = tokenInput(b, 'attention_mask');
  const mask = additiveMaskLayer(b, attentionMask);
  let hidden = distilBertEmbeddingsLayer(b, inputIds);
  for (let i = 0; i < b.dims.numLayers; i++) hidden = distilBertLayer(b, hidden, i, mask);
  logitsOutput(b, distilBertClassifierLayer(b, hidden, numLabels), numLabels);
}
