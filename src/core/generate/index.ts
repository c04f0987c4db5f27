/**
 * Text generation with WebTune's decoders (GPT-2, Llama, Qwen2), the API the CLI and the app build on.
 *
 *   const lm = await loadCausalLM(hubSource('HuggingFaceTB/SmolLM2-135M-Instruct'), { cache });
 *   // lm.model: CausalLM (core/models/causal-lm), lm.tokenizer: TextTokenizer, lm.generation: the model's
 *   // defaults (generation_config.json over transformers' GenerationConfig defaults: greedy, 20 new tokens).
 *   const prompt = lm.tokenizer.chatTemplate
 *     ? lm.tokenizer.applyChatTemplate([{ role: 'user', content: 'Hi' }]).ids   // add_generation_prompt
 *     : lm.tokenizer.encodeText('Once upon a time');
 *   const text = new TextStream(lm.tokenizer);
 *   for await (const id of generateTokens(lm.model, prompt, lm.generation, { maxNewTokens: 64 }))
 *     show(text.push(id));                        // tokens stream out as they are made
 *   // or: const { tokenIds, finishReason } = await generate(lm.model, prompt, lm.generation, options);
 *   // several prompts as one left-padded batch (transformers' padding_side='left'), a result per prompt:
 *   // const results = await generateBatch(lm.model, [idsA, idsB], lm.generation, { onToken: (row, id) => … });
 *   lm.model.dispose();
 *
 * Options (GenerateOptions, each overriding the model's default): maxNewTokens, doSample, temperature, topK,
 * topP, repetitionPenalty (transformers' semantics and order), eosTokenIds (stop on any; [] never stops), seed
 * (the same seed gives the same tokens), onToken, signal (AbortSignal). Each call keeps a KV cache per layer
 * (the prompt runs once, then one token per step) and frees it when it ends, also when the caller stops early.
 */
export {
  generate,
  generateBatch,
  generateTokens,
  type BatchGenerateOptions,
  type GenerateOptions,
  type GenerateResult,
} from './generate';
export {
  checkGenerationSettings,
  GENERATION_DEFAULTS,
  GenerationConfigError,
  modelGenerationSettings,
  type GenerationSettings,
} from './generation-config';
export { causalLMFromPretrained, loadCausalLM, readGenerationConfig, type LoadedCausalLM } from './load';
export { applyRepetitionPenalty, sampleToken, warpedDistribution } from './sampling';
export { TextStream } from './text-stream';
