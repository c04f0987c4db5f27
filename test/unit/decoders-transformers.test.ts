// The decoders against the real library, live: transformers 5.18 (the Python stack) loads each fixture folder
// with AutoModelForCausalLM.from_pretrained and AutoTokenizer, on prompts the reference.json does not hold.
// Compared: the tokenizer's ids, the last position's logits over the whole vocabulary, greedy generate() with the
// model's generation_config (eos stop included), greedy with repetition_penalty 1.3 (each prompt alone, and all
// of them as one batch left-padded as with padding_side='left'), and apply_chat_template of a multi-turn chat.
// Our side loads through loadCausalLM from the Hub mirror, as the app does.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { generate, generateBatch, loadCausalLM } from '../../src/core/generate';
import { hubSource } from '../../src/core/hub';
import { runPythonStack } from '../support/python';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { sharedModelDir } from '../support/shared';
import { DECODER_FIXTURES } from './decoder-fixtures';
import { maxAbsDiff } from './models-fixtures';

const PROMPTS = ['The weather today is', 'Rain, rain, go away; come again', 'def main():\n    print('];
const CHAT = [
  { role: 'system', content: 'Answer in one line.' },
  { role: 'user', content: 'Where is my parcel?' },
  { role: 'assistant', content: 'It left the depot today.' },
  { role: 'user', content: 'When will it arrive?' },
];
const NEW_TOKENS = 12;

interface PythonOut {
  ids: number[][];
  last_logits: number[][];
  greedy: number[][];
  penalised: number[][];
  chat_ids: number[] | null;
  /** generate() on all prompts at once, left-padded: the new ids of each row (pad ids after its eos). */
  batch_greedy: number[][];
  batch_penalised: number[][];
  eos: number[];
  batch_padded: number;
}

/** A batch row of transformers' generate up to its first eos (what follows is padding). */
function untilEos(row: number[], eos: number[]): number[] {
  const at = row.findIndex((id) => eos.includes(id));
  return at < 0 ? row : row.slice(0, at + 1);
}

const SCRIPT = `
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
job = json.load(sys.stdin)
torch.manual_seed(0)
out = {}
for folder in job["folders"]:
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    r = {"ids": [], "last_logits": [], "greedy": [], "penalised": [], "chat_ids": None}
    with torch.no_grad():
        for prompt in job["prompts"]:
            ids = tok(prompt, return_tensors="pt").input_ids
            r["ids"].append(ids[0].tolist())
            r["last_logits"].append(model(ids).logits[0, -1].tolist())
            mask = torch.ones_like(ids)
            g = model.generate(ids, attention_mask=mask, max_new_tokens=job["new"], do_sample=False)
            r["greedy"].append(g[0, ids.shape[1]:].tolist())
            p = model.generate(ids, attention_mask=mask, max_new_tokens=job["new"], do_sample=False, repetition_penalty=1.3)
            r["penalised"].append(p[0, ids.shape[1]:].tolist())
        # All prompts as one batch, left-padded (the tokenizer's pad token, else its eos, as transformers warns).
        tok.padding_side = "left"
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        batch = tok(job["prompts"], return_tensors="pt", padding=True)
        width = batch.input_ids.shape[1]
        for key, extra in (("batch_greedy", {}), ("batch_penalised", {"repetition_penalty": 1.3})):
            g = model.generate(**batch, max_new_tokens=job["new"], do_sample=False, **extra)
            r[key] = g[:, width:].tolist()
        eos = model.generation_config.eos_token_id
        r["eos"] = eos if isinstance(eos, list) else [eos]
        r["batch_padded"] = int((batch.attention_mask == 0).any())
    if tok.chat_template:
        r["chat_ids"] = list(tok.apply_chat_template(job["chat"], add_generation_prompt=True, tokenize=True, return_dict=True)["input_ids"])
    out[folder] = r
print(json.dumps(out))
`;

let mirror: HubMirror;
let python: Record<string, PythonOut>;
const report: string[] = [];

beforeAll(async () => {
  mirror = await startHubMirror();
  python = runPythonStack<Record<string, PythonOut>>(
    SCRIPT,
    {
      folders: DECODER_FIXTURES.map((id) => sharedModelDir(id)),
      prompts: PROMPTS,
      new: NEW_TOKENS,
      chat: CHAT,
    },
    300_000,
  );
}, 320_000);

afterAll(async () => {
  await mirror?.close();
  console.log(report.join('\n'));
});

describe('decoders against transformers 5.18, live (wasm)', () => {
  it.each(DECODER_FIXTURES)('%s', async (id) => {
    await initBackend({ prefer: 'wasm' });
    const expected = python[sharedModelDir(id)]!;
    const lm = await loadCausalLM(hubSource(id, { endpoint: mirror.url }));
    let worstLogits = 0;
    for (let p = 0; p < PROMPTS.length; p++) {
      const ids = lm.tokenizer.encodeText(PROMPTS[p]!);
      expect(ids, `ids of prompt ${p}`).toEqual(expected.ids[p]);
      const logits = lm.model.nextTokenLogits(
        { inputIds: tf.tensor2d([ids], undefined, 'int32') },
        { training: false },
      );
      worstLogits = Math.max(worstLogits, maxAbsDiff(await logits.data(), expected.last_logits[p]!));
      logits.dispose();
      const greedy = await generate(lm.model, ids, lm.generation, { maxNewTokens: NEW_TOKENS });
      expect(greedy.tokenIds, `greedy of prompt ${p}`).toEqual(expected.greedy[p]);
      const penalised = await generate(lm.model, ids, lm.generation, {
        maxNewTokens: NEW_TOKENS,
        repetitionPenalty: 1.3,
      });
      expect(penalised.tokenIds, `repetition_penalty 1.3, prompt ${p}`).toEqual(expected.penalised[p]);
    }
    // The prompts as one left-padded batch, as transformers' generate with padding_side='left'.
    expect(expected.batch_padded).toBe(1);
    const prompts = PROMPTS.map((text) => lm.tokenizer.encodeText(text));
    const padTokenId = lm.tokenizer.padTokenId;
    for (const [key, repetitionPenalty] of [
      ['batch_greedy', 1],
      ['batch_penalised', 1.3],
    ] as const) {
      const rows = await generateBatch(lm.model, prompts, lm.generation, {
        maxNewTokens: NEW_TOKENS,
        repetitionPenalty,
        padTokenId,
      });
      expect(
        rows.map((r) => r.tokenIds),
        key,
      ).toEqual(expected[key].map((row) => untilEos(row, expected.eos)));
    }
    if (expected.chat_ids) {
      expect(lm.tokenizer.applyChatTemplate(CHAT, true).ids).toEqual(expected.chat_ids);
    } else {
      expect(lm.tokenizer.chatTemplate).toBeUndefined();
    }
    report.push(
      `transformers live ${id} × wasm: ids, greedy and penalised greedy identical for ${PROMPTS.length} prompts, ` +
        `alone and as one left-padded batch; ` +
        `last logits max |diff| ${worstLogits.toExponential(2)}${expected.chat_ids ? '; chat ids identical' : ''}`,
    );
    expect(worstLogits).toBeLessThanOrEqual(1e-4);
    lm.model.dispose();
  });
});
