// Rotary embeddings' inverse frequencies from a config, as transformers' ROPE_INIT_FUNCTIONS compute them:
// `rope_theta` at the top of the config (transformers 4) or inside `rope_parameters` (transformers 5), with the
// `linear` and `llama3` scalings (Llama 3.1 / 3.2). Other rope types are refused by name.
import { FieldReader, ModelConfigError } from './config-fields';
import type { HFConfig } from './types';

export const SUPPORTED_ROPE_TYPES = ['default', 'linear', 'llama3'] as const;

type Json = Record<string, unknown>;

export function ropeInverseFrequencies(config: HFConfig, headDim: number, where: string): Float32Array {
  const nested = config.rope_parameters ?? config.rope_scaling;
  if (nested !== undefined && nested !== null && (typeof nested !== 'object' || Array.isArray(nested))) {
    throw new ModelConfigError(`${where} has a rope_parameters / rope_scaling that is not an object`);
  }
  const params = (nested ?? {}) as Json;
  const fieldName = config.rope_parameters ? 'rope_parameters' : 'rope_scaling';
  const fields = new FieldReader(params as HFConfig, `${where} ${fieldName}`);
  const top = new FieldReader(config, where);
  const theta = fields.positiveNumber('rope_theta', top.positiveNumber('rope_theta', 10000));
  const type = fields.string('rope_type', fields.string('type', 'default'));
  const partial = fields.number('partial_rotary_factor', top.number('partial_rotary_factor', 1));
  if (partial !== 1) {
    throw new ModelConfigError(
      `${where} has partial_rotary_factor ${partial}; WebTune rotates whole heads only`,
    );
  }
  if (headDim % 2 !== 0)
    throw new ModelConfigError(`${where}: rotary embeddings need an even head_dim, got ${headDim}`);
  const half = headDim / 2;
  const inv = Array.from({ length: half }, (_, i) => 1 / Math.pow(theta, (2 * i) / headDim));
  switch (type) {
    case 'default':
      break;
    case 'linear': {
      const factor = fields.positiveNumber('factor', 1);
      for (let i = 0; i < half; i++) inv[i] = inv[i]! / factor;
      break;
    }
    case 'llama3': {
      // transformers' _compute_llama3_parameters: long wavelengths slowed by `factor`, short ones kept,
      // the band between blended smoothly.
      const factor = fields.positiveNumber('factor', 8);
      const low = fields.positiveNumber('low_freq_factor', 1);
      const high = fields.positiveNumber('high_freq_factor', 4);
      const original = fields.positiveInt('original_max_position_embeddings', 8192);
      const lowWavelen = original / low;
      const highWavelen = original / high;
      for (let i = 0; i < half; i++) {
        const f = inv[i]!;
        const wavelen = (2 * Math.PI) / f;
        const scaled = wavelen > lowWavelen ? f / factor : f;
        const smooth = (original / wavelen - low) / (high - low);
        const medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
        inv[i] = medium ? ((1 - smooth) * scaled) / factor + smooth * scaled : scaled;
      }
      break;
    }
    default:
      throw new ModelConfigError(
        `${where} ${fieldName} asks for rope_type "${type}" rotary scaling, which WebTune does not implement; ` +
          `supported: ${SUPPORTED_ROPE_TYPES.join(', ')}`,
      );
  }
  return Float32Array.from(inv);
}
