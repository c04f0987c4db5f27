// `npm run generate`: continues each prompt with a decoder (a Hub id or a folder), streaming the text to stdout
// as it is made, or printing one JSON line per prompt with --json. Greedy unless --do-sample; the model's
// generation_config.json gives the defaults (eos ids, max_new_tokens, …) that flags do not override.
import type { GenerateCliOptions } from './args';
import { generateTokens, readGenerationConfig, TextStream } from '../core/generate';
import { loadAdapter, loadModel } from './load-model';
import { adaptedCausalLM } from '../core/lora/adapted-lm';
import { LoraConfigError } from '../core/lora/config';
import { CliError } from './fail';
import { requireDecoder } from './model-kind';
import { startBackend } from './start-backend';

export async function runGenerate(o: GenerateCliOptions): Promise<number> {
  await startBackend(o.backend);
  const base = await loadModel(o.model, o.hub, requireDecoder);
  const adapter = o.adapter ? await loadAdapter(o.adapter, o.hub) : undefined;
  let lm;
  try {
    lm = adaptedCausalLM(
      { ...base, name: base.displayName },
      await readGenerationConfig(base.source),
      adapter,
    );
  } catch (error) {
    if (error instanceof LoraConfigError) throw new CliError(error.message);
    throw error;
  }
  const { model, tokenizer } = lm;
  const options = {
    maxNewTokens: o.maxNewTokens,
    doSample: o.doSample,
    temperature: o.temperature,
    topK: o.topK,
    topP: o.topP,
    repetitionPenalty: o.repetitionPenalty,
    seed: o.seed,
  };
  try {
    for (const prompt of o.prompts) {
      const ids = o.chat
        ? tokenizer.applyChatTemplate([{ role: 'user', content: prompt }], true).ids
        : tokenizer.encodeText(prompt);
      const stream = new TextStream(tokenizer);
      const newIds: number[] = [];
      // Plain output shows the prompt, then the continuation as it comes (a chat shows the reply only).
      if (!o.json && !o.chat) process.stdout.write(prompt);
      for await (const id of generateTokens(model, ids, lm.generation, options)) {
        newIds.push(id);
        const piece = stream.push(id);
        if (!o.json && piece) process.stdout.write(piece);
      }
      const rest = stream.flush();
      if (o.json) {
        const text = tokenizer.decode(newIds, true);
        process.stdout.write(`${JSON.stringify({ prompt, token_ids: newIds, text })}\n`);
      } else {
        process.stdout.write(`${rest}\n`);
      }
    }
  } finally {
    model.dispose();
  }
  return 0;
}
