// BertForSequenceClassification as an ONNX graph, layer by layer as bert.ts builds it: embeddings (word +
// position + token type, LayerNorm), post-norm encoder layers, the pooler (dense + tanh on [CLS]) and the
// classifier. The embeddings and layers are shared with RoBERTa (roberta-onnx.ts), as in the tfjs model.
import { DataType } from '../export/onnx/graph';
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

/** The dynamic axes optimum names. */
export const BATCH = 'batch_size';
export const SEQUENCE = 'sequence_length';

/** Declares an int64 [batch_size, sequence_length] graph input. */
export function tokenInput(b: OnnxBuild, name: string): string {
  return b.g.input(name, DataType.INT64, [BATCH, SEQUENCE]);
}

/** Declares the graph's output: logits [batch_size, numLabels]. */
export function logitsOutput(b: OnnxBuild, logits: string, numLabels: number): void {
  b.g.output(logits, 'logits', DataType.FLOAT, [BATCH, numLabels]);
}

/**
 * LayerNorm(word + position + token type) under `prefix` (`bert` or `roberta`). `positionIds` is null for
 * positions 0…length-1 (BERT); `tokenTypeIds` is null for type 0 everywhere.
 */
export function bertEmbeddingsLayer(
  b: OnnxBuild,
  prefix: string,
  inputIds: string,
  positionIds: string | null,
  tokenTypeIds: string | null,
): string {
  const { g, dims } = b;
  const h = dims.hiddenSize;
  const at = (n: string) => `${prefix}.embeddings.${n}`;
  const word = b.precision.embedding(
    g,
    at('word_embeddings.weight'),
    b.weights.get(at('word_embeddings.weight'), [dims.vocabSize, h]),
    inputIds,
  );
  const positionName = at('position_embeddings.weight');
  const position = positionIds
    ? g.op('Gather', [
        g.weight(positionName, b.weights.get(positionName, [dims.maxPositions, h])),
        positionIds,
      ])
    : leadingPositionsLayer(b, positionName, dims.maxPositions, inputIds);
  const typeName = at('token_type_embeddings.weight');
  const typeTable = g.weight(typeName, b.weights.get(typeName, [dims.typeVocabSize, h]));
  const tokenType = g.op('Gather', [typeTable, tokenTypeIds ?? g.int64Scalar(0)], {}, `${typeName}/rows`);
  const sum = g.op('Add', [g.op('Add', [word, tokenType]), position], {}, `${prefix}.embeddings/sum`);
  return layerNormLayer(b, sum, at('LayerNorm'), dims.layerNormEps);
}

/** encoder.layer.{i}: self-attention, output dense + residual + LayerNorm, then the feed-forward block. */
export function bertEncoderLayer(b: OnnxBuild, prefix: string, x: string, i: number, mask: string): string {
  const { dims } = b;
  const h = dims.hiddenSize;
  const at = (n: string) => `${prefix}.encoder.layer.${i}.${n}`;
  const context = selfAttentionLayer(
    b,
    x,
    { query: at('attention.self.query'), key: at('attention.self.key'), value: at('attention.self.value') },
    mask,
    at('attention'),
  );
  const projected = linearLayer(b, context, at('attention.output.dense'), h, h);
  const attended = layerNormLayer(
    b,
    b.g.op('Add', [projected, x]),
    at('attention.output.LayerNorm'),
    dims.layerNormEps,
  );
  const inner = activationLayer(
    b,
    linearLayer(b, attended, at('intermediate.dense'), dims.intermediateSize, h),
    dims.activation,
    at('intermediate.act'),
  );
  const out = linearLayer(b, inner, at('output.dense'), h, dims.intermediateSize);
  return layerNormLayer(b, b.g.op('Add', [out, attended]), at('output.LayerNorm'), dims.layerNormEps);
}

/** The post-norm encoder stack BERT and RoBERTa share. */
export function bertEncoderLayers(b: OnnxBuild, prefix: string, x: string, attentionMask: string): string {
  const mask = additiveMaskLayer(b, attentionMask);
  let hidden = x;
  for (let i = 0; i < b.dims.numLayers; i++) hidden = bertEncoderLayer(b, prefix, hidden, i, mask);
  return hidden;
}

/** bert.pooler: dense + tanh on the [CLS] hidden state. */
export function bertPoolerLayer(b: OnnxBuild, hidden: string): string {
  const h = b.dims.hiddenSize;
  const dense = linearLayer(b, firstTokenLayer(b, hidden), 'bert.pooler.dense', h, h);
  return b.g.op('Tanh', [dense], {}, 'bert.pooler');
}

/** BertForSequenceClassification's head: a Linear on the pooled output (dropout is the identity). */
export function bertClassifierLayer(b: OnnxBuild, pooled: string, numLabels: number): string {
  return linearLayer(b, pooled, 'classifier', numLabels, b.dims.hiddenSize);
}

/** The whole graph: inputs input_ids, attention_mask, token_type_ids; output logits. */
export function buildBertOnnx(b: OnnxBuild, numLabels: number): void {
  const inputIds = tokenInput(b, 'input_ids');
  const attentionMask = tokenInput(b, 'attention_mask');
  const tokenTypeIds = tokenInput(b, 'token_type_ids');
  // With a one-row token-type table every token is type 0, as the tfjs model (bert.ts) treats it.
  const types = b.dims.typeVocabSize > 1 ? tokenTypeIds : null;
  const embedded = bertEmbeddingsLayer(b, 'bert', inputIds, null, types);
  const hidden = bertEncoderLayers(b, 'bert', embedded, attentionMask);
  logitsOutput(b, bertClassifierLayer(b, bertPoolerLayer(b, hidden), numLabels), numLabels);
}
