// ChatML added to a decoder without a chat template (core/models/chatml.ts), against the real transformers doing
// what TRL's clone_chat_template does on the same fixture: the template, the two markers added as special tokens,
// <|im_end|> as eos, resize_token_embeddings(pad_to_multiple_of=64) with mean_resizing. The files addChatMl makes
// are written to a folder that AutoModelForCausalLM / AutoTokenizer load unchanged, and compared there: token ids
// of a rendered conversation, the special tokens, vocab_size, and every row of the embeddings (and of an untied
// lm_head), the new rows within the noise of transformers' draw around the mean.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { writeSafetensors } from '../../src/core/export/safetensors-writer';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { addChatMl, CHATML_TEMPLATE } from '../../src/core/models/chatml';
import type { HFConfig } from '../../src/core/models/types';
import { decoderFilesForRun } from '../../src/core/run/causal-lm';
import { loadTokenizer } from '../../src/core/tokenize/tokenizer';
import { runPythonStack } from '../support/python';
import { sharedModelDir } from '../support/shared';

const root = mkdtempSync(join(tmpdir(), 'webtune-chatml-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MESSAGES = [
  { role: 'user', content: 'Hi there' },
  { role: 'assistant', content: 'Hello! How can I help?' },
];

/** A fixture's files as loaded, with any chat template taken away (Qwen2's), so ChatML has to be added. */
function withoutTemplate(id: string) {
  const dir = sharedModelDir(id);
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const tokenizerConfig = JSON.parse(read('tokenizer_config.json')) as Record<string, unknown>;
  delete tokenizerConfig.chat_template;
  return {
    dir,
    files: {
      config: JSON.parse(read('config.json')) as HFConfig,
      weights: readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors')))),
      tokenizerFiles: {
        'tokenizer.json': read('tokenizer.json'),
        'tokenizer_config.json': JSON.stringify(tokenizerConfig),
      },
      generationConfig: existsSync(join(dir, 'generation_config.json'))
        ? (JSON.parse(read('generation_config.json')) as Record<string, unknown>)
        : undefined,
    },
  };
}

interface Compared {
  vocab_size: number;
  eos_token: string;
  eos_token_id: number;
  generation_eos: number;
  ids: Record<string, number>;
  special: Record<string, boolean>;
  decoded: string;
  reference_decoded: string;
  ours_ids: number[];
  reference_ids: number[];
  /** Max |ours − reference| over the rows both had before, and over the new rows. */
  embed_old: number;
  embed_new: number;
  head_old: number | null;
  head_new: number | null;
  /** The spread of the old rows (per-column std, averaged): the scale the new rows' noise is measured against. */
  spread: number;
  missing: string[];
  unexpected: string[];
}

function compareWithTransformers(base: string, ours: string): Compared {
  return runPythonStack<Compared>(
    `
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig
d = json.load(sys.stdin)
# The reference: the base fixture through the steps of TRL's clone_chat_template.
tok = AutoTokenizer.from_pretrained(d["base"])
tok.chat_template = d["template"]
tok.add_tokens(["<|im_start|>", "<|im_end|>"], special_tokens=True)
tok.eos_token = "<|im_end|>"
ref = AutoModelForCausalLM.from_pretrained(d["base"])
old = ref.get_input_embeddings().weight.shape[0]
ref.resize_token_embeddings(max(len(tok), ref.config.vocab_size), pad_to_multiple_of=64, mean_resizing=True)
# Ours, as written.
ours, info = AutoModelForCausalLM.from_pretrained(d["ours"], output_loading_info=True)
otok = AutoTokenizer.from_pretrained(d["ours"])
gen = GenerationConfig.from_pretrained(d["ours"])
def diff(a, b, rows):
    return float((a[rows] - b[rows]).abs().max())
e_ours, e_ref = ours.get_input_embeddings().weight.detach(), ref.get_input_embeddings().weight.detach()
tied = ours.config.tie_word_embeddings
h_ours, h_ref = ours.get_output_embeddings().weight.detach(), ref.get_output_embeddings().weight.detach()
print(json.dumps({
    "vocab_size": ours.config.vocab_size,
    "eos_token": otok.eos_token,
    "eos_token_id": ours.config.eos_token_id,
    "generation_eos": gen.eos_token_id,
    "ids": {t: otok.convert_tokens_to_ids(t) for t in ["<|im_start|>", "<|im_end|>"]},
    "special": {t: otok.added_tokens_decoder[otok.convert_tokens_to_ids(t)].special for t in ["<|im_start|>", "<|im_end|>"]},
    "decoded": otok.decode(otok.apply_chat_template(d["messages"], tokenize=True, return_dict=True)["input_ids"], skip_special_tokens=True),
    "reference_decoded": tok.decode(tok.apply_chat_template(d["messages"], tokenize=True, return_dict=True)["input_ids"], skip_special_tokens=True),
    "ours_ids": otok.apply_chat_template(d["messages"], tokenize=True, return_dict=True)["input_ids"],
    "reference_ids": tok.apply_chat_template(d["messages"], tokenize=True, return_dict=True)["input_ids"],
    "embed_old": diff(e_ours, e_ref, slice(0, old)),
    "embed_new": diff(e_ours, e_ref, slice(old, None)),
    "head_old": None if tied else diff(h_ours, h_ref, slice(0, old)),
    "head_new": None if tied else diff(h_ours, h_ref, slice(old, None)),
    "spread": float(e_ref[:old].std(0).mean()),
    "missing": list(info["missing_keys"]), "unexpected": list(info["unexpected_keys"]),
}))
`,
    { base, ours, template: CHATML_TEMPLATE, messages: MESSAGES },
  );
}

function writeFolder(name: string, added: ReturnType<typeof addChatMl>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(added.config));
  if (added.generationConfig)
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify(added.generationConfig));
  for (const [file, text] of Object.entries(added.tokenizerFiles)) writeFileSync(join(dir, file), text);
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(added.weights));
  return dir;
}

describe('ChatML added to a decoder without a chat template', () => {
  it('GPT-2 (tied embeddings): two new special tokens, eos <|im_end|>, 50257 → 50304 rows, as transformers', () => {
    const { dir, files } = withoutTemplate('webtune/tiny-random-gpt2');
    const added = addChatMl(files, 'tiny-random-gpt2');
    expect(added.tokenIds).toEqual({ start: 50257, end: 50258 });
    expect(added.vocabSize).toEqual({ before: 50257, after: 50304 });
    // The base is left as it was: the Playground's before/after view answers with it.
    expect(files.weights.get('transformer.wte.weight')?.shape).toEqual([50257, 64]);
    expect(added.weights.get('transformer.wte.weight')?.shape).toEqual([50304, 64]);
    const ours = loadTokenizer(added.tokenizerFiles, { model: 'ours' });
    const ids = ours.applyChatTemplate(MESSAGES, false).ids;
    expect(ids.filter((id) => id === 50257 || id === 50258)).toHaveLength(4);

    const python = compareWithTransformers(dir, writeFolder('gpt2', added));
    expect(python).toMatchObject({
      vocab_size: 50304,
      eos_token: '<|im_end|>',
      eos_token_id: 50258,
      generation_eos: 50258,
      ids: { '<|im_start|>': 50257, '<|im_end|>': 50258 },
      special: { '<|im_start|>': true, '<|im_end|>': true },
      missing: [],
      unexpected: [],
      head_old: null,
    });
    expect(python.ours_ids).toEqual(python.reference_ids);
    expect(ids).toEqual(python.reference_ids);
    // Special, so decoding without special tokens drops the markers, as it does for the reference.
    expect(python.decoded).toBe(python.reference_decoded);
    expect(python.decoded).not.toContain('<|im_');
    expect(python.embed_old).toBe(0);
    // transformers draws the new rows from N(mean, 1e-9·covariance): ours are the mean, well inside that noise.
    expect(python.embed_new).toBeLessThan(1e-3 * python.spread);
  });

  it('Qwen2 (untied lm_head, markers already in the vocabulary): ids kept, both matrices resized', () => {
    const { dir, files } = withoutTemplate('webtune/tiny-random-qwen2');
    const run = decoderFilesForRun(files, 'chat', 'tiny-random-qwen2');
    expect(run.chatMlAdded).toBe(true);
    const added = addChatMl(files, 'tiny-random-qwen2');
    expect(added.tokenIds).toEqual({ start: 50257, end: 50258 });
    expect(added.vocabSize).toEqual({ before: 50259, after: 50304 });
    expect(run.config).toEqual(added.config);
    const python = compareWithTransformers(dir, writeFolder('qwen2', added));
    expect(python).toMatchObject({
      vocab_size: 50304,
      eos_token: '<|im_end|>',
      eos_token_id: 50258,
      ids: { '<|im_start|>': 50257, '<|im_end|>': 50258 },
      missing: [],
      unexpected: [],
    });
    expect(python.ours_ids).toEqual(python.reference_ids);
    expect(python.embed_old).toBe(0);
    expect(python.head_old).toBe(0);
    expect(python.embed_new).toBeLessThan(1e-3 * python.spread);
    expect(python.head_new).toBeLessThan(1e-3 * python.spread);
  });

  it('leaves a model with a chat template, and data that is not chat, as they are', () => {
    const { files } = withoutTemplate('webtune/tiny-random-gpt2');
    expect(decoderFilesForRun(files, 'text', 'gpt2').chatMlAdded).toBe(false);
    expect(decoderFilesForRun(files, 'instruction', 'gpt2').chatMlAdded).toBe(false);
    const templated = {
      ...files,
      tokenizerFiles: { ...files.tokenizerFiles, 'chat_template.jinja': CHATML_TEMPLATE },
    };
    const kept = decoderFilesForRun(templated, 'chat', 'gpt2');
    expect(kept.chatMlAdded).toBe(false);
    expect(kept.weights).toBe(files.weights);
  });
});
