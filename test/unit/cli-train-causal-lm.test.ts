// `npm run train` on a decoder end to end: webtune/gpt2-tiny-lm (a small GPT-2 pre-trained here) from a local Hub
// mirror, instruction data (prompt + completion JSONL, a validation file), wasm, --task left to the model. The
// --out folder must be what AutoModelForCausalLM / AutoTokenizer load unchanged: the real transformers loads it,
// its greedy continuations of the validation prompts equal WebTune's, and its eval loss on the same validation
// rows (TRL's prompt + completion tokenisation, completion-only labels, the Trainer's batch-weighted mean)
// matches WebTune's final evaluation within 1e-3. Also: a classifier asked for --task causal-lm is refused.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { errorLines, runCli, type CliResult } from '../support/cli';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { runPythonStack } from '../support/python';

let dir: string;
let mirror: HubMirror;
let out: string;
let result: CliResult;

const WORDS = ['apple', 'river', 'stone', 'cloud', 'green', 'music', 'paper', 'light', 'market', 'winter'];
// Distinct rows: the k-th pair of words (training and validation share none, so no row is dropped as a duplicate).
const rows = (n: number, offset: number) =>
  Array.from({ length: n }, (_, i) => {
    const w = WORDS[(i + offset) % WORDS.length]!;
    const v = WORDS[Math.floor((i + offset) / WORDS.length)]!;
    return { prompt: `Repeat twice: ${w} ${v}\nAnswer:`, completion: ` ${w} ${v} ${w} ${v}` };
  });
const VALIDATION = rows(6, 50);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webtune-clm-'));
  mirror = await startHubMirror();
  const jsonl = (xs: object[]) => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';
  writeFileSync(join(dir, 'train.jsonl'), jsonl(rows(32, 0)));
  writeFileSync(join(dir, 'dev.jsonl'), jsonl(VALIDATION));
  out = join(dir, 'run');
  result = await runCli(
    'train',
    [
      ...['--data', join(dir, 'train.jsonl'), '--validation', join(dir, 'dev.jsonl')],
      ...['--model', 'webtune/gpt2-tiny-lm', '--hub', mirror.url, '--out', out],
      ...['--epochs', '1', '--lr', '1e-3', '--batch-size', '8', '--block-size', '48'],
      ...['--logging-steps', '1', '--seed', '3', '--backend', 'wasm'],
    ],
    { WEBTUNE_CACHE: join(dir, 'cache') },
  );
}, 300_000);

afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
});

const read = (name: string) => JSON.parse(readFileSync(join(out, name), 'utf8'));

describe('npm run train on a decoder (instruction data)', () => {
  it('trains as a causal LM and writes the Hugging Face folder', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/data: instruction; 32 training and 6 validation rows/);
    expect(result.stderr).toMatch(/completion_only_loss true/);
    const files = readdirSync(out).sort();
    expect(files).toEqual([
      // The run record (.webtune/run.json) that npm run export --run DIR --project reads.
      '.webtune',
      'README.md',
      'config.json',
      'generation_config.json',
      'metrics.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
      'training_args.json',
    ]);
    expect(read(join('.webtune', 'run.json'))).toMatchObject({
      task: 'causal-lm',
      causalLm: {
        options: { block_size: 48, packing: false, completion_only_loss: true },
        eosTokenId: 50256,
      },
    });
    expect(read('config.json').architectures).toEqual(['GPT2LMHeadModel']);
    expect(read('training_args.json')).toMatchObject({
      learning_rate: 1e-3,
      block_size: 48,
      packing: false,
      completion_only_loss: true,
      webtune: { backend: 'wasm', base_model: 'webtune/gpt2-tiny-lm' },
    });
    const metrics = read('metrics.json');
    for (const key of ['eval_loss', 'perplexity', 'eval_bleu', 'eval_rougeL'])
      expect(Number.isFinite(metrics[key]), key).toBe(true);
    expect(metrics.perplexity).toBeCloseTo(Math.exp(metrics.eval_loss), 8);
    expect(metrics.generations).toHaveLength(VALIDATION.length);
    // 32 rows / batch 8: four steps, each logged with its loss.
    expect(metrics.log_history.filter((r: { loss?: number }) => r.loss !== undefined)).toHaveLength(4);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toMatch(
      /^---\nlibrary_name: transformers\nbase_model: webtune\/gpt2-tiny-lm\npipeline_tag: text-generation\n/,
    );
    expect(card).toMatch(/AutoModelForCausalLM\.from_pretrained/);
    expect(card).toMatch(/- Perplexity: \d/);
    expect(card).toMatch(/\| Prompt \| Reference \| Generated \|/);
  });

  it('loads in transformers: the same greedy continuations and the same eval loss (1e-3)', () => {
    const metrics = read('metrics.json');
    const python = runPythonStack<{ generated: string[]; eval_loss: number; warnings: string[] }>(
      `
import json, sys, warnings, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
d = json.load(sys.stdin)
tok = AutoTokenizer.from_pretrained(d["out"])
model = AutoModelForCausalLM.from_pretrained(d["out"]).eval()
generated = []
with torch.no_grad():
    for g in d["generations"]:
        ids = tok(g["prompt"], return_tensors="pt").input_ids
        n = len(tok(g["reference"], add_special_tokens=False).input_ids)
        outp = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, do_sample=False,
                              pad_token_id=tok.eos_token_id)
        generated.append(tok.decode(outp[0][ids.shape[1]:], skip_special_tokens=True))
    # TRL's prompt-completion rows: prompt + completion + eos, labels -100 on the prompt and on padding.
    rows = []
    for r in d["validation"]:
        p = tok(r["prompt"]).input_ids
        ids = tok(r["prompt"] + r["completion"]).input_ids + [tok.eos_token_id]
        rows.append((ids, [-100] * len(p) + ids[len(p):]))
    total, bs = 0.0, d["batch"]
    for s in range(0, len(rows), bs):
        chunk = rows[s:s + bs]
        L = max(len(i) for i, _ in chunk)
        ids = torch.tensor([i + [tok.eos_token_id] * (L - len(i)) for i, _ in chunk])
        mask = torch.tensor([[1] * len(i) + [0] * (L - len(i)) for i, _ in chunk])
        labels = torch.tensor([l + [-100] * (L - len(l)) for _, l in chunk])
        total += model(input_ids=ids, attention_mask=mask, labels=labels).loss.item() * len(chunk)
print(json.dumps({"generated": generated, "eval_loss": total / len(rows), "warnings": []}))
`,
      { out, generations: metrics.generations, validation: VALIDATION, batch: 8 },
    );
    // After four steps the model mostly answers with EOS at once (transformers agrees): the continuations of
    // free text below are the non-trivial check.
    expect(python.generated).toEqual(metrics.generations.map((g: { generated: string }) => g.generated));
    expect(Math.abs(python.eval_loss - metrics.eval_loss)).toBeLessThanOrEqual(1e-3);
  });

  it('npm run generate on the exported folder continues text as transformers does', async () => {
    const prompts = ['Oil prices rose on', 'The market', 'Stocks fell as'];
    const generated = await runCli('generate', [
      ...['--model', out, '--max-new-tokens', '12', '--json', '--backend', 'wasm'],
      ...prompts.flatMap((p) => ['--prompt', p]),
    ]);
    expect(generated.code, generated.stderr).toBe(0);
    const ours = generated.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { token_ids: number[] }).token_ids);
    const theirs = runPythonStack<number[][]>(
      `
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
d = json.load(sys.stdin)
tok = AutoTokenizer.from_pretrained(d["out"])
model = AutoModelForCausalLM.from_pretrained(d["out"]).eval()
res = []
for p in d["prompts"]:
    ids = tok(p, return_tensors="pt").input_ids
    o = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=12, do_sample=False, pad_token_id=tok.eos_token_id)
    res.append(o[0][ids.shape[1]:].tolist())
print(json.dumps(res))
`,
      { out, prompts },
    );
    expect(ours).toEqual(theirs);
    expect(ours.some((ids) => ids.length > 1)).toBe(true);
  });

  it('refuses --task causal-lm for a classifier, on its config.json', async () => {
    const refused = await runCli(
      'train',
      [
        ...['--task', 'causal-lm', '--data', join(dir, 'train.jsonl'), '--out', join(dir, 'x')],
        ...['--model', 'webtune/tiny-random-bert-cls', '--hub', mirror.url, '--backend', 'cpu'],
      ],
      { WEBTUNE_CACHE: join(dir, 'cache') },
    );
    expect(refused.code).toBe(1);
    expect(errorLines(refused.stderr).filter((l) => l.startsWith('error:'))).toEqual([
      expect.stringMatching(
        /^error: webtune\/tiny-random-bert-cls is a BERT encoder .*it does not generate text$/,
      ),
    ]);
    expect(
      mirror.requests.some((r) => r.includes('tiny-random-bert-cls/resolve/main/model.safetensors')),
    ).toBe(false);
  });

  it('refuses --mode lora for chat data on a model without a chat template (ChatML adds tokens)', async () => {
    const chats = join(dir, 'chats.jsonl');
    const chat = (i: number) => ({
      messages: [
        { role: 'user', content: `Say ${WORDS[i % WORDS.length]}` },
        { role: 'assistant', content: WORDS[i % WORDS.length] },
      ],
    });
    writeFileSync(chats, Array.from({ length: 10 }, (_, i) => JSON.stringify(chat(i))).join('\n') + '\n');
    const refused = await runCli(
      'train',
      [
        ...['--data', chats, '--out', join(dir, 'lora-chat'), '--mode', 'lora'],
        ...['--model', 'webtune/tiny-random-gpt2', '--hub', mirror.url, '--backend', 'cpu'],
      ],
      { WEBTUNE_CACHE: join(dir, 'cache') },
    );
    expect(refused.code).toBe(1);
    expect(errorLines(refused.stderr).filter((l) => l.startsWith('error:'))).toEqual([
      expect.stringMatching(
        /^error: --mode lora: webtune\/tiny-random-gpt2 has no chat template, so chat data adds ChatML's tokens .*LoRA cannot train or save new token embeddings/,
      ),
    ]);
    expect(readdirSync(dir)).not.toContain('lora-chat');
  });
});
