// What the app's adapter import (worker/adapter-session.ts) and `--adapter` refuse, through the one core build of
// base + adapter: an adapter for another architecture (GPT-2's c_attn on Llama), and a classifier's adapter on
// a decoder. The adapters are the PEFT-written lora-init fixtures.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { loadPretrained } from '../../src/core/hub/load';
import { readAdapter } from '../../src/core/lora/adapter-files';
import { adaptedCausalLM } from '../../src/core/lora/adapted-lm';
import { LoraConfigError } from '../../src/core/lora/config';
import { localFolderSource } from '../../src/cli/local-source';
import { sharedModelDir } from '../support/shared';

const named = async (id: string) => {
  const source = localFolderSource(`${sharedModelDir(id)}/lora-init`);
  return { ...(await readAdapter(source)), name: `${id} lora-init` };
};

describe('importing a PEFT adapter onto a decoder', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });

  it('refuses an adapter made for another architecture, naming the layers it has', async () => {
    const llama = await loadPretrained(localFolderSource(sharedModelDir('webtune/tiny-random-llama')));
    const gpt2Adapter = await named('webtune/tiny-random-gpt2');
    expect(() => adaptedCausalLM(llama, undefined, gpt2Adapter)).toThrow(LoraConfigError);
    expect(() => adaptedCausalLM(llama, undefined, gpt2Adapter)).toThrow(
      /target_modules \["c_attn"\] match none of its linear layers \(.*q_proj.*\)/,
    );
    // Its own adapter goes on.
    const lm = adaptedCausalLM(llama, undefined, await named('webtune/tiny-random-llama'));
    expect(lm.model.lora?.adapters.size).toBeGreaterThan(0);
    lm.model.dispose();
  });

  it('refuses a classifier’s (SEQ_CLS) adapter', async () => {
    const gpt2 = await loadPretrained(localFolderSource(sharedModelDir('webtune/tiny-random-gpt2')));
    const adapter = await named('webtune/tiny-random-gpt2');
    const seqCls = { ...adapter, config: { ...adapter.config, task_type: 'SEQ_CLS' as const } };
    expect(() => adaptedCausalLM(gpt2, undefined, seqCls)).toThrow(
      /is a SEQ_CLS adapter \(a classifier's\): .* takes CAUSAL_LM adapters/,
    );
  });
});
