// The causal-LM export folder from core (buildCausalLmExportFolder), written to disk and read by the real
// transformers: AutoModelForCausalLM loads it with no missing or unexpected weights (GPT-2's lm_head tied and
// left out, as save_pretrained leaves it), the config names GPT2LMHeadModel, generation_config.json is made from
// the config when the base has none, and AutoTokenizer renders chats with the ChatML WebTune added (its tokens,
// template, eos and resized embeddings: core/models/chatml.ts, checked against transformers in chatml.test.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { writeExportFolder } from '../../src/cli/write-folder';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { buildCausalLmExportFolder, type CausalLmExportInputs } from '../../src/core/export/causal-lm-folder';
import { addChatMl } from '../../src/core/models/chatml';
import { loadTokenizer } from '../../src/core/tokenize/tokenizer';
import type { HFConfig } from '../../src/core/models/types';
import { runPythonStack } from '../support/python';
import { sharedModelDir } from '../support/shared';

const dir = mkdtempSync(join(tmpdir(), 'webtune-clm-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the causal-LM export', () => {
  it('loads in transformers: weights, config, generation config and the added ChatML', async () => {
    const fixture = sharedModelDir('webtune/tiny-random-gpt2');
    const tokenizerFiles: Record<string, string> = {};
    for (const name of ['tokenizer.json', 'tokenizer_config.json'])
      tokenizerFiles[name] = readFileSync(join(fixture, name), 'utf8');
    const added = addChatMl(
      {
        config: JSON.parse(readFileSync(join(fixture, 'config.json'), 'utf8')) as HFConfig,
        weights: readSafetensors(new Uint8Array(readFileSync(join(fixture, 'model.safetensors')))),
        tokenizerFiles,
      },
      'tiny-random-gpt2',
    );
    const { config, tokenizerFiles: files } = added;
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there' },
    ];
    const ours = loadTokenizer(files, { model: 'gpt2' }).applyChatTemplate(messages, false).text;
    const inputs: CausalLmExportInputs = {
      modelName: 'chat-gpt2',
      baseModel: {
        hubId: 'webtune/tiny-random-gpt2',
        architecture: 'gpt2',
        config,
        files: new Map(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)])),
      },
      weights: added.weights,
      dataset: {
        fileName: 'chats.jsonl',
        kind: 'chat',
        rowsRead: 10,
        trainRows: 9,
        validationRows: 1,
        trainExamples: 9,
        validationExamples: 1,
        split: { kind: 'random', validationFraction: 0.1, seed: 42 },
        issues: [{ kind: 'duplicates', rows: 1, action: 'dropped' }],
        chatTemplateAdded: true,
      },
      hyperparameters: {
        learning_rate: 1e-4,
        num_train_epochs: 1,
        per_device_train_batch_size: 8,
        weight_decay: 0,
        lr_scheduler_type: 'linear',
        seed: 1,
        block_size: 64,
      },
      logHistory: [{ step: 2, epoch: 1, eval_loss: 3.5, eval_perplexity: Math.exp(3.5) }],
      finalEvaluation: {
        step: 2,
        epoch: 1,
        eval_loss: 3.5,
        perplexity: Math.exp(3.5),
        eval_bleu: 12.5,
        eval_rougeL: 0.25,
        samples: [{ prompt: 'Hi', reference: 'Hello there', generated: 'Hello' }],
      },
      run: { backend: 'cpu', webtuneVersion: '0.0.0' },
    };
    const folder = buildCausalLmExportFolder(inputs);
    await writeExportFolder(dir, folder.files, folder.streamed);
    const card = new TextDecoder().decode(folder.files.get('README.md'));
    expect(card).toMatch(/pipeline_tag: text-generation/);
    expect(card).toMatch(/- BLEU \(sacrebleu, 13a\): 12\.50\n- ROUGE-L: 0\.2500/);
    expect(card).toMatch(/apply_chat_template/);
    const metrics = JSON.parse(new TextDecoder().decode(folder.files.get('metrics.json')));
    expect(metrics).toMatchObject({
      eval_loss: 3.5,
      eval_bleu: 12.5,
      eval_rougeL: 0.25,
      generations: inputs.finalEvaluation.samples,
    });
    const python = runPythonStack<{
      missing: string[];
      unexpected: string[];
      arch: string[];
      eos: number;
      vocab: number;
      eosToken: string;
      text: string;
      front: Record<string, unknown>;
    }>(
      `
import json, sys, yaml
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig
d = json.load(sys.stdin)
model, info = AutoModelForCausalLM.from_pretrained(d["dir"], output_loading_info=True)
tok = AutoTokenizer.from_pretrained(d["dir"])
gen = GenerationConfig.from_pretrained(d["dir"])
card = open(d["dir"] + "/README.md").read()
print(json.dumps({
    "missing": list(info["missing_keys"]), "unexpected": list(info["unexpected_keys"]),
    "arch": model.config.architectures, "eos": gen.eos_token_id,
    "vocab": model.get_input_embeddings().weight.shape[0], "eosToken": tok.eos_token,
    "text": tok.apply_chat_template(d["messages"], tokenize=False),
    "front": yaml.safe_load(card.split("---")[1]),
}))
`,
      { dir, messages },
    );
    expect(python).toMatchObject({
      missing: [],
      unexpected: [],
      arch: ['GPT2LMHeadModel'],
      eos: 50258,
      vocab: 50304,
      eosToken: '<|im_end|>',
    });
    expect(python.text).toBe(ours);
    expect(python.text).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello there<|im_end|>\n',
    );
    expect(python.front).toMatchObject({
      pipeline_tag: 'text-generation',
      base_model: 'webtune/tiny-random-gpt2',
    });
  });
});
