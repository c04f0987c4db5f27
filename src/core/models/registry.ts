// One descriptor per architecture, collected in one list: what the rest of WebTune asks about a model type
// (config fields and their defaults, the builder, tensor names and prefixes, the head each task puts on it, the
// class names an export writes, LoRA's default targets). Adding an architecture is one file and one line here.
import { bertDescriptor } from './bert';
import type { EncoderDims } from './config';
import { ModelConfigError } from './config-fields';
import type { DecoderBody, DecoderDims } from './decoder';
import { distilBertDescriptor } from './distilbert';
import type { EncoderModel } from './encoder';
import { gpt2Descriptor } from './gpt2';
import { llamaDescriptor } from './llama';
import { qwen2Descriptor } from './qwen2';
import { robertaDescriptor } from './roberta';
import type { Architecture, DecoderArchitecture, EncoderArchitecture, HFConfig } from './types';
import type { WeightLoader } from './weights';

/** What a sequence-classification head is made of, as transformers' *ForSequenceClassification names it. */
export interface ClassificationHeadSpec {
  /** The class `architectures` names in an exported config.json. */
  className: string;
  /** The head's tensors, beside the backbone's (which sit under `weightPrefix`). */
  tensors: string[];
  /** The layer whose rows are the labels. */
  outLayer: string;
}

/** What a causal-LM head is, as transformers' *ForCausalLM / GPT2LMHeadModel names it. */
export interface CausalLmHeadSpec {
  className: string;
  /** The output projection, absent from checkpoints whose embeddings are tied to it. */
  tensor: 'lm_head.weight';
}

interface DescriptorBase<Name extends Architecture> {
  modelType: Name;
  /** How messages name it. */
  label: string;
  /** The prefix of the backbone's tensors in the task models' checkpoints (`bert`, `transformer`, `model`). */
  weightPrefix: string;
  /** The word embedding table, under weightPrefix. */
  embeddingTensor: string;
  /** The modules PEFT's LoRA targets by default for this architecture. */
  loraTargets: string[];
}

export interface EncoderDescriptor extends DescriptorBase<EncoderArchitecture> {
  kind: 'encoder';
  /** `where` names the file in messages. */
  parseConfig(config: HFConfig, where: string): EncoderDims;
  build(loader: WeightLoader, dims: EncoderDims, numLabels: number): EncoderModel;
  /** The longest input the position embeddings allow. */
  maxLength(dims: EncoderDims): number;
  tasks: { 'sequence-classification': ClassificationHeadSpec };
}

export interface DecoderDescriptor extends DescriptorBase<DecoderArchitecture> {
  kind: 'decoder';
  parseConfig(config: HFConfig, where: string): DecoderDims;
  /** With `lmHead` false (a sequence classifier) no lm_head is made or read. */
  build(loader: WeightLoader, dims: DecoderDims, options?: { lmHead?: boolean }): DecoderBody;
  /** The longest sequence the positions allow. */
  maxLength(dims: DecoderDims): number;
  /** `sequence-classification`: transformers' *ForSequenceClassification, a bias-free `score` on the last token. */
  tasks: { 'causal-lm': CausalLmHeadSpec; 'sequence-classification': ClassificationHeadSpec };
}

export type ArchitectureDescriptor = EncoderDescriptor | DecoderDescriptor;

export const TASK_NAMES = ['sequence-classification', 'causal-lm'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** The task a model is fine-tuned for when none is named: an encoder classifies, a decoder models language. */
export function defaultTask(descriptor: ArchitectureDescriptor): TaskName {
  return descriptor.kind === 'decoder' ? 'causal-lm' : 'sequence-classification';
}

const ENCODERS: readonly EncoderDescriptor[] = [bertDescriptor, distilBertDescriptor, robertaDescriptor];
const DECODERS: readonly DecoderDescriptor[] = [gpt2Descriptor, llamaDescriptor, qwen2Descriptor];

export const ARCHITECTURES: readonly ArchitectureDescriptor[] = [...ENCODERS, ...DECODERS];

/** The model types WebTune builds, encoders first. */
export const SUPPORTED_MODEL_TYPES: readonly Architecture[] = ARCHITECTURES.map((d) => d.modelType);

/** "bert (…), distilbert, roberta" for messages: every supported model type of that kind. */
export function describeSupported(kind?: ArchitectureDescriptor['kind']): string {
  return ARCHITECTURES.filter((d) => !kind || d.kind === kind)
    .map(
      (d) =>
        d.modelType +
        (d.modelType === 'bert' ? ' (BERT, MiniLM and other model_type "bert" checkpoints)' : ''),
    )
    .join(', ');
}

/** The descriptor for a config's model_type; ModelConfigError naming the model and what is supported. */
export function descriptorFor(config: HFConfig, modelName = 'this model'): ArchitectureDescriptor {
  if (typeof config !== 'object' || config === null) {
    throw new ModelConfigError(`${modelName} (config.json) is not a JSON object`);
  }
  const type = config.model_type;
  if (typeof type !== 'string' || type.length === 0) {
    throw new ModelConfigError(
      `${modelName} (config.json) has no model_type; WebTune supports ${describeSupported()}`,
    );
  }
  const found = ARCHITECTURES.find((d) => d.modelType === type);
  if (!found) {
    throw new ModelConfigError(
      `${modelName} has model_type "${type}", which WebTune cannot build; supported: ${describeSupported()}`,
    );
  }
  return found;
}

/** The encoder of that name; a decoder (or an unknown name) is refused, saying what it is. */
export function encoderDescriptor(name: Architecture): EncoderDescriptor {
  const d = ARCHITECTURES.find((a) => a.modelType === name);
  if (!d) throw new ModelConfigError(`unknown architecture "${name}"; supported: ${describeSupported()}`);
  if (d.kind !== 'encoder') {
    throw new ModelConfigError(
      `${name} is a causal language model in WebTune; it has no sequence-classification head`,
    );
  }
  return d;
}

/** The decoder of that name; an encoder (or an unknown name) is refused, saying what it is. */
export function decoderDescriptor(name: Architecture): DecoderDescriptor {
  const d = ARCHITECTURES.find((a) => a.modelType === name);
  if (!d) throw new ModelConfigError(`unknown architecture "${name}"; supported: ${describeSupported()}`);
  if (d.kind !== 'decoder') {
    throw new ModelConfigError(`${name} is an encoder in WebTune; it has no causal-LM head`);
  }
  return d;
}

/** The descriptor of an architecture, encoder or decoder. */
export function architectureDescriptor(name: Architecture): ArchitectureDescriptor {
  const d = ARCHITECTURES.find((a) => a.modelType === name);
  if (!d) throw new ModelConfigError(`unknown architecture "${name}"; supported: ${describeSupported()}`);
  return d;
}

/** The sequence-classification head of an architecture (an encoder's, or a decoder's `score`). */
export function classificationHead(name: Architecture): ClassificationHeadSpec {
  return architectureDescriptor(name).tasks['sequence-classification'];
}

/** The tasks a model can be fine-tuned for: an encoder classifies; a decoder models language or classifies. */
export function tasksOf(descriptor: ArchitectureDescriptor): TaskName[] {
  return descriptor.kind === 'decoder'
    ? ['causal-lm', 'sequence-classification']
    : ['sequence-classification'];
}

/** What a model is and what WebTune can do with it, in one line, for messages that refuse a task. */
export function describeModel(config: HFConfig, modelName: string): string {
  const d = descriptorFor(config, modelName);
  const cls = config.architectures?.[0];
  return d.kind === 'encoder'
    ? `${modelName} is a ${d.label} encoder${cls ? ` (${cls})` : ''}: WebTune fine-tunes it for text classification (npm run train / predict); it does not generate text`
    : `${modelName} is a ${d.label} causal language model${cls ? ` (${cls})` : ''}: WebTune generates text with it (npm run generate), fine-tunes it as a causal LM (npm run train) or, with --task sequence-classification, as a sequence classifier`;
}
