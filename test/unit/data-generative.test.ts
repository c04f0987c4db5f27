// Generative data: which form a table is (plain text, prompt/completion, Alpaca, chat), the cleaning report
// (empty texts, duplicates, malformed conversations, rows over the block size with the tokens they lose), and
// the examples: packed blocks as run_clm / TRL make them and per-row masks (completion_only_loss,
// assistant_only_loss), the token ids checked against the fixture's tokenizer in Python transformers.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { readAll } from '../../src/core/data/read';
import {
  detectGenerativeColumns,
  prepareGenerative,
  type GenerativeRecord,
} from '../../src/core/data/generative';
import { IGNORE_INDEX } from '../../src/core/models/causal-lm';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { addChatMl, CHATML_TEMPLATE } from '../../src/core/models/chatml';
import type { HFConfig } from '../../src/core/models/types';
import { prepareCausalLmData } from '../../src/core/run/causal-lm';
import { loadTokenizer } from '../../src/core/tokenize/tokenizer';
import {
  buildCausalLmExamples,
  defaultBlockSize,
  generationPrompts,
  resolveCausalLmDataOptions,
} from '../../src/core/train/causal-lm-examples';
import { runPythonStack } from '../support/python';
import { sharedModelDir } from '../support/shared';

const LLAMA = 'webtune/tiny-random-llama'; // GPT-2's BPE with ChatML tokens and template; eos <|im_end|>

function tokenizerFiles(id: string): Record<string, string> {
  const dir = sharedModelDir(id);
  const files: Record<string, string> = {};
  for (const name of ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja'])
    if (existsSync(join(dir, name))) files[name] = readFileSync(join(dir, name), 'utf8');
  return files;
}

const tokenizer = loadTokenizer(tokenizerFiles(LLAMA), { model: LLAMA });
const EOS = 50258;
const split = { validationShare: 0, seed: 1 };

async function table(name: string, text: string) {
  const t = await readAll(new Blob([text]), name);
  return { file: name, role: 'train' as const, columns: t.columns, rows: t.rows };
}

describe('the form of generative data', () => {
  it('tells plain text, instruction, Alpaca and chat apart by their columns', async () => {
    expect(detectGenerativeColumns(['text', 'label'], 'a.csv').kind).toBe('text');
    expect(detectGenerativeColumns(['Prompt', 'Completion'], 'a.csv')).toMatchObject({
      kind: 'instruction',
      alpaca: false,
    });
    expect(detectGenerativeColumns(['instruction', 'input', 'output'], 'a.jsonl')).toMatchObject({
      kind: 'instruction',
      input: 'input',
      alpaca: true,
    });
    expect(detectGenerativeColumns(['messages', 'id'], 'a.jsonl').kind).toBe('chat');
    expect(detectGenerativeColumns(['body'], 'a.csv')).toEqual({ kind: 'text', text: 'body' });
    expect(() => detectGenerativeColumns(['a', 'b'], 'a.csv')).toThrow(/'text'.*'prompt'.*'messages'/);
    // A TXT file: one document per line.
    const txt = prepareGenerative([await table('notes.txt', 'first line\n\nsecond line\n')], split);
    expect(txt.train).toEqual([
      { kind: 'text', text: 'first line' },
      { kind: 'text', text: 'second line' },
    ]);
  });

  it('reads Alpaca rows as prompt (instruction, blank line, input) and completion', async () => {
    const jsonl = [
      { instruction: 'Translate', input: 'Hallo', output: 'Hello' },
      { instruction: 'Say hi', input: '', output: 'Hi' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const p = prepareGenerative([await table('alpaca.jsonl', jsonl)], split);
    expect(p.report).toMatchObject({ kind: 'instruction', alpaca: true, total: 2, issues: [] });
    expect(p.train).toEqual([
      { kind: 'instruction', prompt: 'Translate\n\nHallo', completion: 'Hello' },
      { kind: 'instruction', prompt: 'Say hi', completion: 'Hi' },
    ]);
  });

  it('counts empty texts, duplicates and malformed conversations, and drops them', async () => {
    const rows = [
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
        ],
      },
      { messages: [{ role: 'user', content: 'Only a question' }] },
      {
        messages: [
          { role: 'robot', content: 'x' },
          { role: 'assistant', content: 'y' },
        ],
      },
      { messages: 'not a list' },
      {
        messages: [
          { role: 'user', content: ' ' },
          { role: 'assistant', content: '' },
        ],
      },
    ];
    const p = prepareGenerative(
      [await table('chat.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'))],
      split,
    );
    expect(p.train).toHaveLength(1);
    const byKind = Object.fromEntries(p.report.issues.map((i) => [i.kind, i]));
    expect(byKind['duplicates']).toMatchObject({ count: 1, dropped: 1 });
    expect(byKind['empty-texts']).toMatchObject({ count: 1, dropped: 1 });
    expect(byKind['malformed-conversations']).toMatchObject({ count: 3, dropped: 3 });
    expect(byKind['malformed-conversations']!.examples.join('\n')).toMatch(
      /row 3: no assistant turn\n.*row 4: message 1 has role "robot".*\n.*row 5: messages is not JSON/,
    );
  });

  it('holds out a seeded share for validation when no validation file is given', async () => {
    const text = ['text', ...Array.from({ length: 40 }, (_, i) => `document ${i}`)].join('\n');
    const a = prepareGenerative([await table('t.csv', text)], { validationShare: 0.1, seed: 42 });
    const b = prepareGenerative([await table('t.csv', text)], { validationShare: 0.1, seed: 42 });
    expect(a.validation).toHaveLength(4);
    expect(a.train).toHaveLength(36);
    expect(a.validation).toEqual(b.validation);
  });
});

const TEXTS = [
  'The quick brown fox jumps over the lazy dog.',
  'Stocks rallied on Monday as oil prices fell.',
  'A short one.',
  'Ünïcode and émojis 🤖 are bytes to GPT-2.',
  'Last text, whose tail the packing drops.',
];

describe('causal-LM examples', () => {
  it('packs as run_clm with EOS after each text: the same blocks as Python transformers’ tokenizer', () => {
    const records: GenerativeRecord[] = TEXTS.map((text) => ({ kind: 'text', text }));
    const options = resolveCausalLmDataOptions('text', { block_size: 8 }, 256);
    expect(options).toEqual({
      block_size: 8,
      packing: true,
      completion_only_loss: true,
      assistant_only_loss: true,
    });
    const built = buildCausalLmExamples(tokenizer, records, EOS, options);
    const reference = runPythonStack<{ blocks: number[][]; total: number }>(
      `
import json, sys
from transformers import AutoTokenizer
d = json.load(sys.stdin)
tok = AutoTokenizer.from_pretrained(d["dir"])
ids = [i for t in d["texts"] for i in tok(t)["input_ids"] + [tok.eos_token_id]]
n = len(ids) // d["block"] * d["block"]
print(json.dumps({"blocks": [ids[i:i + d["block"]] for i in range(0, n, d["block"])], "total": len(ids)}))
`,
      { dir: sharedModelDir(LLAMA), texts: TEXTS, block: 8 },
    );
    expect(built.examples.map((e) => e.inputIds)).toEqual(reference.blocks);
    expect(built.examples.every((e) => e.labels.join() === e.inputIds.join())).toBe(true);
    expect(built.tokens).toBe(reference.total);
    expect(built.remainderDropped).toBe(reference.total % 8);
    expect(built.remainderDropped).toBeGreaterThan(0);
  });

  it('unpacked: one row per text cut at block_size, the tokens lost counted', () => {
    const records: GenerativeRecord[] = TEXTS.map((text) => ({ kind: 'text', text }));
    const options = resolveCausalLmDataOptions('text', { block_size: 8, packing: false }, 256);
    const built = buildCausalLmExamples(tokenizer, records, EOS, options);
    const whole = TEXTS.map((t) => tokenizer.encodeText(t).length + 1);
    expect(built.examples.map((e) => e.inputIds.length)).toEqual(whole.map((n) => Math.min(n, 8)));
    expect(built.tooLong).toEqual({
      rows: whole.filter((n) => n > 8).length,
      tokensLost: whole.reduce((s, n) => s + Math.max(0, n - 8), 0),
    });
    expect(built.tooLong.rows).toBeGreaterThan(0);
    expect(defaultBlockSize(1024)).toBe(512);
    expect(defaultBlockSize(256)).toBe(256);
    expect(() => resolveCausalLmDataOptions('text', { block_size: 300 }, 256)).toThrow(/256 positions/);
  });

  it('instruction data: loss on the completion and EOS only (completion_only_loss), or on everything', () => {
    const record: GenerativeRecord = {
      kind: 'instruction',
      prompt: 'Question: 2 + 2?\nAnswer:',
      completion: ' 4',
    };
    const on = buildCausalLmExamples(
      tokenizer,
      [record],
      EOS,
      resolveCausalLmDataOptions('instruction', {}, 256),
    );
    expect(on.examples[0]!.inputIds).toEqual([
      ...tokenizer.encodeText(record.prompt + record.completion),
      EOS,
    ]);
    const kept = on.examples[0]!.labels.filter((l) => l !== IGNORE_INDEX);
    expect(tokenizer.decode(kept, false)).toBe(' 4<|im_end|>');
    const off = buildCausalLmExamples(
      tokenizer,
      [record],
      EOS,
      resolveCausalLmDataOptions('instruction', { completion_only_loss: false }, 256),
    );
    expect(off.examples[0]!.labels).toEqual(off.examples[0]!.inputIds);
    expect(resolveCausalLmDataOptions('instruction', {}, 256).packing).toBe(false);
  });

  it('chat: the template’s ids as Python renders them; loss on the assistant turns only', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'How are you?' },
      { role: 'assistant', content: 'Fine, thanks.' },
    ];
    const record: GenerativeRecord = { kind: 'chat', messages };
    const built = buildCausalLmExamples(
      tokenizer,
      [record],
      EOS,
      resolveCausalLmDataOptions('chat', {}, 256),
    );
    const reference = runPythonStack<{ ids: number[]; prompt: number[] }>(
      `
import json, sys
from transformers import AutoTokenizer
d = json.load(sys.stdin)
tok = AutoTokenizer.from_pretrained(d["dir"])
ids = tok.apply_chat_template(d["messages"], tokenize=True, return_dict=True)["input_ids"]
prompt = tok.apply_chat_template(d["messages"][:-1], tokenize=True, add_generation_prompt=True, return_dict=True)["input_ids"]
print(json.dumps({"ids": ids, "prompt": prompt}))
`,
      { dir: sharedModelDir(LLAMA), messages },
    );
    const [example] = built.examples;
    expect(example!.inputIds).toEqual(reference.ids);
    // The tokens with loss are exactly the assistant turns, each with its end marker.
    const spans: string[] = [];
    let current: number[] = [];
    example!.labels.forEach((l) => {
      if (l !== IGNORE_INDEX) current.push(l);
      else if (current.length) {
        spans.push(tokenizer.decode(current, false));
        current = [];
      }
    });
    if (current.length) spans.push(tokenizer.decode(current, false));
    expect(spans).toEqual(['Hello!<|im_end|>\n', 'Fine, thanks.<|im_end|>\n']);
    const all = buildCausalLmExamples(
      tokenizer,
      [record],
      EOS,
      resolveCausalLmDataOptions('chat', { assistant_only_loss: false }, 256),
    );
    expect(all.examples[0]!.labels).toEqual(reference.ids);
    // The validation prompt: the conversation before the last assistant turn, with the generation prompt.
    const [prompt] = generationPrompts(tokenizer, [record]);
    expect(prompt!.promptIds).toEqual(reference.prompt);
    expect(prompt!.reference).toBe('Fine, thanks.');
  });

  it('gives a model without a chat template ChatML (tokens and template), and reports rows over the block size', () => {
    const gpt2 = tokenizerFiles('webtune/tiny-random-gpt2');
    const plain = loadTokenizer(gpt2, { model: 'gpt2' });
    expect(plain.chatTemplate).toBeUndefined();
    const dir = sharedModelDir('webtune/tiny-random-gpt2');
    const added = addChatMl(
      {
        config: JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig,
        weights: readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors')))),
        tokenizerFiles: gpt2,
      },
      'gpt2',
    );
    const withTemplate = loadTokenizer(added.tokenizerFiles, { model: 'gpt2' });
    expect(withTemplate.chatTemplate).toBe(CHATML_TEMPLATE);
    const data = prepareGenerative(
      [
        {
          file: 'c.jsonl',
          role: 'train',
          columns: ['messages'],
          rows: [
            [
              JSON.stringify([
                { role: 'user', content: 'Hi' },
                { role: 'assistant', content: 'Hello' },
              ]),
            ],
            [
              JSON.stringify([
                { role: 'user', content: 'A much longer question than the block, '.repeat(4) },
                { role: 'assistant', content: 'ok' },
              ]),
            ],
          ],
        },
      ],
      split,
    );
    const run = prepareCausalLmData(withTemplate, data, added.tokenIds.end, { block_size: 40 }, 256);
    const first = run.train[0]!;
    expect(withTemplate.decode(first.inputIds, false)).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n',
    );
    // The markers are one token each; the assistant's <|im_end|>, the eos now, has loss, so the model learns to stop.
    expect(first.inputIds.filter((id) => id === 50257 || id === 50258)).toEqual([50257, 50258, 50257, 50258]);
    expect(first.labels.at(-2)).toBe(50258);
    const tooLong = run.issues.find((i) => i.kind === 'too-long');
    expect(tooLong?.count).toBe(1);
    expect(tooLong!.tokensLost).toBeGreaterThan(0);
  });
});
