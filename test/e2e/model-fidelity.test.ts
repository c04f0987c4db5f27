// The engine inside Chromium on WebGPU, loading through the real download code from the local Hub mirror:
// the same numbers as PyTorch (../shared/models/*/reference.json) within 1e-4.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadFixture, maxAbsDiff } from '../unit/models-fixtures';
import { callInPage, launchChromium, openPage } from './browser';
import type { FixtureRun } from './harness/run-fixture';

const TOLERANCE = 1e-4;

describe('fidelity to PyTorch in Chromium on WebGPU', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    'webtune/bert-tiny-mlm',
    'webtune/tiny-random-distilbert-cls',
    'webtune/tiny-random-roberta-bpe-cls',
  ])('%s', async (id) => {
    const { reference } = loadFixture(id);
    const { page, errors, offMachine } = await openPage(browser, `${inject('devUrl')}/`);
    const run = await callInPage<FixtureRun>(page, '/test/e2e/harness/run-fixture.ts', 'runFixture', {
      hub: inject('hubUrl'),
      id,
      backend: 'webgpu',
      numLabels: reference.logits?.[0]?.length ?? 2,
      inputIds: reference.input_ids,
      attentionMask: reference.attention_mask,
      tokenTypeIds: reference.token_type_ids,
    });
    expect(run.backend).toBe('webgpu');
    const hidden = maxAbsDiff(run.lastHiddenState, reference.last_hidden_state.flat(2));
    const measured = [`last_hidden_state ${hidden.toExponential(2)}`];
    expect(hidden).toBeLessThanOrEqual(TOLERANCE);
    if (reference.pooler_output) {
      const pooler = maxAbsDiff(run.poolerOutput ?? [], reference.pooler_output.flat());
      measured.push(`pooler_output ${pooler.toExponential(2)}`);
      expect(pooler).toBeLessThanOrEqual(TOLERANCE);
    }
    if (reference.logits) {
      const logits = maxAbsDiff(run.logits, reference.logits.flat());
      measured.push(`logits ${logits.toExponential(2)}`);
      expect(logits).toBeLessThanOrEqual(TOLERANCE);
    }
    console.log(`${id} × webgpu (Chromium): ${measured.join(', ')}`);
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
