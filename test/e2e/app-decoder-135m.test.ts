// A 135M-parameter model loads and generates in a tab: transformers writes a Llama of SmolLM2-135M's shape
// (30 layers, 576 wide, 9 heads / 3 kv heads, vocab 49152, tied embeddings) with random weights in BF16, as the
// real SmolLM2 checkpoints are, into a temporary folder served as a Hub repo; the app loads it on wasm and
// continues a prompt greedily in the Playground, and the new tokens are transformers' greedy tokens for the
// same weights (upcast to float32, as the engine computes) and the same prompt. One page session.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { runPythonStack } from '../support/python';
import { repoRoot, sharedModelDir } from '../support/shared';
import { launchChromium, openPage } from './browser';

const REPO = 'webtune/smollm2-135m-shaped-bf16';
const PROMPT = 'Once upon a time, in a small village';
const NEW_TOKENS = 4;

const SMOLLM2_135M = {
  architectures: ['LlamaForCausalLM'],
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  vocab_size: 49152,
  max_position_embeddings: 8192,
  rope_theta: 100000,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: true,
  bos_token_id: 0,
  eos_token_id: 0,
};

interface Made {
  parameters: number;
  dtypes: string[];
  bytes: number;
  greedy: number[];
  /** The gap between the best and second-best logit at each greedy step: how far from a tie each choice is. */
  margins: number[];
}

describe('a 135M-parameter decoder in a tab', () => {
  let browser: Browser;
  let hub: HubMirror;
  let dir: string;
  let made: Made;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'webtune-135m-'));
    made = runPythonStack<Made>(
      `import json, os, sys, torch
from safetensors import safe_open
from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM
job = json.load(sys.stdin)
torch.manual_seed(0)
model = LlamaForCausalLM(LlamaConfig(**job["config"])).to(torch.bfloat16)
model.save_pretrained(job["dir"])
tokenizer = AutoTokenizer.from_pretrained(job["tokenizer"])
tokenizer.save_pretrained(job["dir"])
path = os.path.join(job["dir"], "model.safetensors")
with safe_open(path, "pt") as f:
    dtypes = sorted({str(f.get_slice(k).get_dtype()) for k in f.keys()})
upcast = AutoModelForCausalLM.from_pretrained(job["dir"], dtype=torch.float32).eval()
ids = tokenizer(job["prompt"], return_tensors="pt").input_ids
with torch.no_grad():
    out = upcast.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=job["new"], do_sample=False,
                          output_scores=True, return_dict_in_generate=True)
margins = [float(s[0].topk(2).values[0] - s[0].topk(2).values[1]) for s in out.scores]
print(json.dumps({"parameters": sum(p.numel() for p in upcast.parameters()), "dtypes": dtypes,
                  "bytes": os.path.getsize(path), "greedy": out.sequences[0, ids.shape[1]:].tolist(),
                  "margins": margins}))`,
      {
        config: SMOLLM2_135M,
        dir,
        tokenizer: sharedModelDir('webtune/tiny-random-gpt2'),
        prompt: PROMPT,
        new: NEW_TOKENS,
      },
      600_000,
    );
    browser = await launchChromium();
    hub = await startHubMirror({ repos: { [REPO]: dir } });
  }, 660_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the BF16 checkpoint on wasm and generates transformers’ greedy tokens', async () => {
    // What the test stands on: a BF16 checkpoint of 135M parameters, and greedy choices clear of ties.
    expect(made.dtypes).toEqual(['BF16']);
    expect(made.parameters).toBeGreaterThan(130e6);
    expect(made.greedy).toHaveLength(NEW_TOKENS);
    console.log(
      `${REPO}: ${made.parameters.toLocaleString('en-US')} parameters, ${(made.bytes / 2 ** 20).toFixed(0)} MiB ` +
        `BF16; transformers greedy ${JSON.stringify(made.greedy)}, top-2 logit gaps ${made.margins.map((m) => m.toFixed(4)).join(', ')}`,
    );

    const { page, errors, offMachine } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${hub.url}&backend=wasm`,
    );
    const started = Date.now();
    await page.getByRole('button', { name: /Model/ }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill(REPO);
    await field.press('Enter');
    await page.locator('[data-testid="model-facts"][data-model-kind]').waitFor({ timeout: 240_000 });
    const loadSeconds = (Date.now() - started) / 1000;
    const facts = await page.getByTestId('model-facts').innerText();
    expect(facts).toContain('LlamaForCausalLM');
    expect(facts).toContain(made.parameters.toLocaleString('en-US'));

    await page.getByRole('button', { name: /Evaluate/ }).click();
    await page.getByLabel(/max_new_tokens/).fill(String(NEW_TOKENS));
    await page.getByLabel('Text to continue').fill(PROMPT);
    const generating = Date.now();
    await page.getByRole('button', { name: 'Generate' }).click();
    const output = page.getByTestId('generation-output');
    await page.locator('[data-testid="generation-output"][data-token-ids]').waitFor({ timeout: 240_000 });
    const generateSeconds = (Date.now() - generating) / 1000;
    expect(JSON.parse((await output.getAttribute('data-token-ids')) ?? '[]')).toEqual(made.greedy);
    expect(await output.innerText()).toContain(PROMPT);
    await page.screenshot({
      path: join(repoRoot, 'test-results', 'decoder', 'playground-135m.png'),
      fullPage: true,
    });

    // The tab's memory (page and worker), where Chromium measures it (a cross-origin isolated page).
    const memory = await page.evaluate(async () => {
      const measure = (
        performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }
      ).measureUserAgentSpecificMemory;
      if (!measure) return 'not measurable (no performance.measureUserAgentSpecificMemory)';
      return `${((await measure.call(performance)).bytes / 2 ** 20).toFixed(0)} MiB`;
    });
    console.log(
      `${REPO} in the tab (wasm): model loaded in ${loadSeconds.toFixed(1)} s (Model step until its facts), ` +
        `${NEW_TOKENS} greedy tokens in ${generateSeconds.toFixed(1)} s (the decoder's build included); ` +
        `tab memory after generating: ${memory}`,
    );
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
