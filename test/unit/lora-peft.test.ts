// WebTune's LoRA exports against the real PEFT and transformers (the pip stack): a BERT classifier trained a few
// steps by `npm run train --mode lora` and a GPT-2 adapter trained a few steps here give, through
// PeftModel.from_pretrained(base, exported adapter), the logits WebTune computes; transformers loads the merged
// exports with the same logits. Also `npm run predict --adapter` against predict on the merged folder.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { adapterFiles } from '../../src/core/lora/adapter-files';
import { attachLora } from '../../src/core/lora/attach';
import { mergedCausalLmFiles } from '../../src/core/lora/merge';
import { buildClassifier } from '../../src/core/models/build';
import type { HFConfig } from '../../src/core/models/types';
import { runCli, writeSentimentCsv } from '../support/cli';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { runPythonStack } from '../support/python';
import { sharedModelDir } from '../support/shared';
import { buildFixture, loadDecoderFixture } from './decoder-fixtures';
import { attachFixtureAdapter, readAdapterFolder, trainAdapterSteps } from './lora-fixtures';
import { maxAbsDiff } from './models-fixtures';

const TOLERANCE = 1e-4;
let dir: string;
let mirror: HubMirror;
const table: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webtune-lora-'));
  mirror = await startHubMirror();
});

afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`LoRA exports against PEFT / transformers (max |logit diff|):\n${table.join('\n')}`);
});

const IDS = [
  [101, 1996, 2143, 2001, 2204, 1998, 2307, 102, 0, 0],
  [101, 1996, 2143, 2001, 2919, 102, 0, 0, 0, 0],
  [101, 2028, 2062, 3231, 2007, 1037, 2460, 6251, 2182, 102],
];
const MASK = IDS.map((row) => row.map((id) => (id === 0 ? 0 : 1)));

const PEFT_CLASSIFIER = `
import json, sys, torch
from transformers import AutoModelForSequenceClassification
from peft import PeftModel
a = json.load(sys.stdin)
ids = torch.tensor(a["ids"]); mask = torch.tensor(a["mask"])
base = AutoModelForSequenceClassification.from_pretrained(a["base"], num_labels=a["num_labels"], ignore_mismatched_sizes=True)
peft = PeftModel.from_pretrained(base, a["adapter"]).eval()
merged = AutoModelForSequenceClassification.from_pretrained(a["merged"]).eval()
with torch.no_grad():
    out = {"peft": peft(input_ids=ids, attention_mask=mask).logits.tolist(),
           "merged": merged(input_ids=ids, attention_mask=mask).logits.tolist()}
print(json.dumps(out))
`;

describe('a BERT classifier trained by npm run train --mode lora', () => {
  it('PEFT loads the adapter with our logits; transformers loads the merged model with them too', async () => {
    const env = { WEBTUNE_CACHE: join(dir, 'cache') };
    writeSentimentCsv(join(dir, 'train.csv'), 24, 1);
    const out = join(dir, 'bert-run');
    const result = await runCli(
      'train',
      [
        ...['--data', join(dir, 'train.csv'), '--model', 'webtune/tiny-random-bert-cls', '--hub', mirror.url],
        ...['--out', out, '--epochs', '1', '--lr', '5e-3', '--batch-size', '8', '--max-length', '16'],
        ...['--mode', 'lora', '--lora-r', '4', '--lora-alpha', '16', '--lora-dropout', '0.05'],
        ...['--lora-target-modules', 'query,value', '--modules-to-save', 'classifier', '--backend', 'wasm'],
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /lora: r 4, alpha 16 on query, value; trainable [\d.]+k of [\d.]+[kM], [\d.]+ %/,
    );
    // --export both (the default): the merged model in --out, PEFT's adapter folder in --out/adapter.
    const adapterDir = join(out, 'adapter');
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'adapter']));
    expect(readdirSync(adapterDir).sort()).toEqual(
      expect.arrayContaining([
        'README.md',
        'adapter_config.json',
        'adapter_model.safetensors',
        'tokenizer.json',
      ]),
    );
    const card = readFileSync(join(adapterDir, 'README.md'), 'utf8');
    expect(card).toMatch(/^---\nbase_model: "webtune\/tiny-random-bert-cls"\nlibrary_name: peft\n/);
    const adapterConfig = JSON.parse(readFileSync(join(adapterDir, 'adapter_config.json'), 'utf8'));
    expect(adapterConfig).toMatchObject({
      peft_type: 'LORA',
      task_type: 'SEQ_CLS',
      base_model_name_or_path: 'webtune/tiny-random-bert-cls',
      r: 4,
      lora_alpha: 16,
      lora_dropout: 0.05,
      target_modules: ['query', 'value'],
      modules_to_save: ['classifier', 'score'],
      fan_in_fan_out: false,
      use_rslora: false,
      bias: 'none',
      inference_mode: true,
    });
    const tensors = readSafetensors(
      new Uint8Array(readFileSync(join(adapterDir, 'adapter_model.safetensors'))),
    );
    expect([...tensors.keys()].sort()).toEqual(
      [
        'base_model.model.classifier.bias',
        'base_model.model.classifier.weight',
        ...[0, 1].flatMap((i) =>
          ['query', 'value'].flatMap((m) =>
            ['lora_A', 'lora_B'].map(
              (w) => `base_model.model.bert.encoder.layer.${i}.attention.self.${m}.${w}.weight`,
            ),
          ),
        ),
      ].sort(),
    );
    expect(
      tensors.get('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight')!.shape,
    ).toEqual([4, 64]);
    expect(
      tensors.get('base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight')!.shape,
    ).toEqual([64, 4]);
    // Training moved B off zero, so the adapter changes the outputs.
    const b = tensors.get('base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight')!;
    expect(Math.max(...b.data.map(Math.abs))).toBeGreaterThan(1e-4);

    // WebTune: the base with the exported adapter applied.
    await initBackend({ prefer: 'cpu' });
    const baseDir = sharedModelDir('webtune/tiny-random-bert-cls');
    const baseConfig = JSON.parse(readFileSync(join(baseDir, 'config.json'), 'utf8')) as HFConfig;
    const baseWeights = readSafetensors(new Uint8Array(readFileSync(join(baseDir, 'model.safetensors'))));
    const model = buildClassifier(baseConfig, baseWeights, { numLabels: 2, seed: 0 });
    const adapter = readAdapterFolder(adapterDir);
    attachLora(model, adapter.config, { seed: 0, weights: adapter.weights });
    const inputs = {
      inputIds: tf.tensor2d(IDS, undefined, 'int32'),
      attentionMask: tf.tensor2d(MASK, undefined, 'int32'),
    };
    const logits = model.forward(inputs, { training: false });
    const ours = Array.from(await logits.data());
    // The same head without the low-rank updates: how much the adapters move the logits, for scale.
    model.lora!.detach();
    const headOnly = model.forward(inputs, { training: false });
    const adapterEffect = maxAbsDiff(ours, Array.from(await headOnly.data()));
    tf.dispose([logits, headOnly, inputs.inputIds, inputs.attentionMask]);
    model.dispose();

    const python = runPythonStack<{ peft: number[][]; merged: number[][] }>(PEFT_CLASSIFIER, {
      ids: IDS,
      mask: MASK,
      base: baseDir,
      num_labels: 2,
      adapter: adapterDir,
      merged: out,
    });
    const peftDiff = maxAbsDiff(ours, python.peft.flat());
    const mergedDiff = maxAbsDiff(ours, python.merged.flat());
    table.push(
      `BERT SEQ_CLS (npm run train): PEFT ${peftDiff.toExponential(2)}, merged ${mergedDiff.toExponential(2)} ` +
        `(the adapters move the logits by ${adapterEffect.toExponential(2)})`,
    );
    expect(adapterEffect).toBeGreaterThan(100 * Math.max(peftDiff, mergedDiff, 1e-9));
    expect(peftDiff).toBeLessThanOrEqual(TOLERANCE);
    expect(mergedDiff).toBeLessThanOrEqual(TOLERANCE);

    // npm run predict --adapter: the base plus the adapter predicts what the merged folder predicts.
    writeSentimentCsv(join(dir, 'test.csv'), 6, 3);
    const viaAdapter = join(dir, 'adapter-preds.csv');
    const viaMerged = join(dir, 'merged-preds.csv');
    const common = ['--data', join(dir, 'test.csv'), '--max-length', '16', '--logits', '--backend', 'cpu'];
    const p1 = await runCli(
      'predict',
      [
        '--model',
        'webtune/tiny-random-bert-cls',
        '--hub',
        mirror.url,
        '--adapter',
        adapterDir,
        '--out',
        viaAdapter,
        ...common,
      ],
      env,
    );
    expect(p1.code, p1.stderr).toBe(0);
    const p2 = await runCli('predict', ['--model', out, '--out', viaMerged, ...common], env);
    expect(p2.code, p2.stderr).toBe(0);
    const read = (path: string) => Papa.parse<string[]>(readFileSync(path, 'utf8').trim()).data;
    const [a, m] = [read(viaAdapter), read(viaMerged)];
    expect(a).toHaveLength(7);
    // The adapter carries no label names; the base's three do not fit its two rows, so they are LABEL_i.
    expect(a[0]).toEqual(['text', 'predicted_label', 'LABEL_0', 'LABEL_1']);
    expect(m[0]).toEqual(['text', 'predicted_label', 'negative', 'positive']);
    const numbers = (rows: string[][]) => rows.slice(1).flatMap((r) => r.slice(2).map(Number));
    expect(maxAbsDiff(numbers(a), numbers(m))).toBeLessThanOrEqual(1e-5);

    // npm run train --adapter continues from the adapter: at a vanishing learning rate it comes out as it went in.
    const again = join(dir, 'bert-continued');
    const continued = await runCli(
      'train',
      [
        ...['--data', join(dir, 'train.csv'), '--model', 'webtune/tiny-random-bert-cls', '--hub', mirror.url],
        ...['--out', again, '--epochs', '1', '--lr', '1e-12', '--batch-size', '8', '--max-length', '16'],
        ...['--mode', 'lora', '--adapter', adapterDir, '--export', 'adapter', '--backend', 'wasm'],
      ],
      env,
    );
    expect(continued.code, continued.stderr).toBe(0);
    expect(readdirSync(again)).toContain('adapter_config.json');
    const after = readSafetensors(new Uint8Array(readFileSync(join(again, 'adapter_model.safetensors'))));
    for (const [name, t] of tensors)
      expect(maxAbsDiff(after.get(name)!.data, Array.from(t.data))).toBeLessThan(1e-6);
  }, 600_000);
});

const PEFT_CAUSAL = `
import json, sys, torch
from transformers import AutoModelForCausalLM
from peft import PeftModel
a = json.load(sys.stdin)
r = json.load(open(a["base"] + "/reference.json"))
ids = torch.tensor(r["input_ids"]); mask = torch.tensor(r["attention_mask"])
sample = torch.tensor(r["vocab_sample"])
peft = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(a["base"]), a["adapter"]).eval()
merged = AutoModelForCausalLM.from_pretrained(a["merged"]).eval()
with torch.no_grad():
    out = {"peft": peft(input_ids=ids, attention_mask=mask).logits[..., sample].tolist(),
           "merged": merged(input_ids=ids, attention_mask=mask).logits[..., sample].tolist()}
print(json.dumps(out))
`;

describe('a GPT-2 LoRA adapter trained here', () => {
  it('PEFT loads the exported adapter with our logits; transformers loads the merged model with them', async () => {
    await initBackend({ prefer: 'wasm' });
    const fixture = loadDecoderFixture('webtune/tiny-random-gpt2');
    const model = buildFixture(fixture);
    attachFixtureAdapter(model, fixture);
    await trainAdapterSteps(model, fixture, 3);
    const adapterDir = join(dir, 'gpt2-adapter');
    const mergedDir = join(dir, 'gpt2-merged');
    for (const [folder, files] of [
      [adapterDir, await adapterFiles(model.lora!, { baseModel: 'webtune/tiny-random-gpt2' })],
      [mergedDir, await mergedCausalLmFiles(model)],
    ] as const) {
      mkdirSync(folder, { recursive: true });
      for (const [name, bytes] of files) writeFileSync(join(folder, name), bytes);
    }
    const config = JSON.parse(readFileSync(join(adapterDir, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      task_type: 'CAUSAL_LM',
      target_modules: ['c_attn'],
      fan_in_fan_out: true,
      r: 4,
    });
    expect(config.modules_to_save).toBeNull();

    const r = fixture.reference;
    const inputs = {
      inputIds: tf.tensor2d(r.input_ids, undefined, 'int32'),
      attentionMask: tf.tensor2d(r.attention_mask, undefined, 'int32'),
    };
    const sample = tf.tensor1d(r.vocab_sample, 'int32');
    const logits = tf.tidy(() =>
      tf.gather(model.logits(model.hiddenStates(inputs, { training: false })), sample, 2),
    );
    const ours = Array.from(await logits.data());
    tf.dispose([logits, sample, inputs.inputIds, inputs.attentionMask]);
    model.dispose();

    const python = runPythonStack<{ peft: number[][][]; merged: number[][][] }>(PEFT_CAUSAL, {
      base: fixture.dir,
      adapter: adapterDir,
      merged: mergedDir,
    });
    const peftDiff = maxAbsDiff(ours, python.peft.flat(2));
    const mergedDiff = maxAbsDiff(ours, python.merged.flat(2));
    table.push(
      `GPT-2 CAUSAL_LM (3 adapter steps): PEFT ${peftDiff.toExponential(2)}, merged ${mergedDiff.toExponential(2)}`,
    );
    expect(peftDiff).toBeLessThanOrEqual(TOLERANCE);
    expect(mergedDiff).toBeLessThanOrEqual(TOLERANCE);
  }, 300_000);
});

const PEFT_GREEDY = `
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from peft import PeftModel
a = json.load(sys.stdin)
tok = AutoTokenizer.from_pretrained(a["base"])
model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(a["base"]), a["adapter"]).eval()
ids = torch.tensor([tok(a["prompt"]).input_ids])
with torch.no_grad():
    out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=8, do_sample=False)
print(json.dumps(out[0, ids.shape[1]:].tolist()))
`;

describe('npm run generate --adapter', () => {
  it("continues a prompt with the fixture's PEFT adapter as PEFT's generate does", async () => {
    const fixture = loadDecoderFixture('webtune/tiny-random-gpt2');
    const adapterDir = join(fixture.dir, 'lora-init');
    const prompt = fixture.reference.prompts[0]!;
    const result = await runCli(
      'generate',
      [
        '--model',
        fixture.dir,
        '--adapter',
        adapterDir,
        '--prompt',
        prompt,
        '--max-new-tokens',
        '8',
        '--json',
      ],
      { WEBTUNE_CACHE: join(dir, 'cache') },
    );
    expect(result.code, result.stderr).toBe(0);
    const line = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { token_ids: number[] };
    const expected = runPythonStack<number[]>(PEFT_GREEDY, {
      base: fixture.dir,
      adapter: adapterDir,
      prompt,
    });
    expect(line.token_ids).toEqual(expected);
    // The adapter matters: the base alone continues differently.
    const plain = await runCli(
      'generate',
      ['--model', fixture.dir, '--prompt', prompt, '--max-new-tokens', '8', '--json'],
      { WEBTUNE_CACHE: join(dir, 'cache') },
    );
    expect(JSON.parse(plain.stdout.trim().split('\n').at(-1)!).token_ids).not.toEqual(expected);
  }, 300_000);
});
