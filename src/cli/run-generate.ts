// `npm run generate`: continues each prompt with a decoder (a Hub id or a folder), streaming the text to stdout
// as it is made (several prompts: one left-padded batch, printed when it ends), or printing one JSON line per
// prompt with --json. Greedy unless --do-sample; the model's generation_config.json gives the defaults (eos ids,
// max_new_tokens, …) that flags do not override.
import type { GenerateCliOptions } from './args';
import { generateBatch, generateTokens, readGenerationConfig, TextStream } from '../core/generate';
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
  const encode = (prompt: string) =>
    o.chat
      ? tokenizer.applyChatTemplate([{ role: 'user', content: prompt }], true).ids
      : tokenizer.encodeText(prompt);
  // The end of a prompt's output: its JSON line, or the text not yet written and the newline.
  const print = (prompt: string, newIds: number[], unwritten: string) => {
    if (o.json) {
      const text = tokenizer.decode(newIds, true);
      process.stdout.write(`${JSON.stringify({ prompt, token_ids: newIds, text })}\n`);
    } else {
      process.stdout.write(`${unwritten}\n`);
    }
  };
  try {
    if (o.prompts.length === 1) {
      const prompt = o.prompts[0]!;
      const stream = new TextStream(tokenizer);
      const newIds: number[] = [];
      // Plain output shows the prompt, then the continuation as it comes (a chat shows the reply only).
      if (!o.json && !o.chat) process.stdout.write(prompt);
      for await (const id of generateTokens(model, encode(prompt), lm.generation, options)) {
        newIds.push(id);
        const piece = stream.push(id);
        if (!o.json && piece) process.stdout.write(piece);
      }
      print(prompt, newIds, stream.flush());
    } else {
      // Several prompts run as one left-padded batch; each is printed, in order, when the batch is done.
      const results = await generateBatch(model, o.prompts.map(encode), lm.generation, {
        ...options,
        padTokenId: tokenizer.padTokenId,
      });
      results.forEach(({ tokenIds }, row) => {
        const prompt = o.prompts[row]!;
        const stream = new TextStream(tokenizer);
        const text = tokenIds.map((id) => stream.push(id)).join('') + stream.flush();
        print(prompt, tokenIds, o.chat ? text : prompt + text);
      });
    }
  } finally {
    model.dispose();
  }
  return 0;
}
