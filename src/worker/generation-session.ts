// The Playground's decoder: built from the loaded model's files (with its LoRA adapter, when one is loaded)
// the first time it is asked for text, rebuilt only when another model or adapter is loaded; then one
// completion at a time, its text streamed to the page
// token by token. Generation awaits between tokens, so a stop request gets through while it runs.
import { generateTokens, TextStream, type LoadedCausalLM } from '../core/generate';
import { adaptedCausalLM } from '../core/lora/adapted-lm';
import type { LoadedModel } from './model-session';
import { modelGenerationSettings } from '../core/generate/generation-config';
import type { TrainedCausalLm } from './training-session';
import type { GenerationEvent, GenerationRequest } from './protocol';

type GenerateRequest = Extract<GenerationRequest, { type: 'generate' }>;

export class GenerationSession {
  private built?: { from: LoadedModel; adapter: LoadedModel['adapter']; lm: LoadedCausalLM };
  private readonly running = new Map<number, AbortController>();

  constructor(private readonly post: (event: GenerationEvent) => void) {}

  /** `fineTuned`: the last causal-LM run's decoder, which a request for model 'fine-tuned' uses (not owned here). */
  async generate(
    request: GenerateRequest,
    loaded: LoadedModel | undefined,
    fineTuned?: TrainedCausalLm,
  ): Promise<void> {
    const { id } = request;
    const abort = new AbortController();
    this.running.set(id, abort);
    try {
      if (!loaded)
        throw new Error('No model is loaded: load a decoder (GPT-2, Llama, Qwen2) in the Model step');
      if (loaded.kind !== 'decoder')
        throw new Error(
          `${loaded.facts.name} is an encoder: it classifies text (train it in the Train step) and does not generate`,
        );
      const lm = request.model === 'fine-tuned' ? fineTunedDecoder(fineTuned) : this.decoderFor(loaded);
      const prompt =
        request.input.kind === 'chat'
          ? lm.tokenizer.applyChatTemplate(request.input.messages, true).ids
          : lm.tokenizer.encodeText(request.input.text);
      const started = performance.now();
      const text = new TextStream(lm.tokenizer);
      const tokens = generateTokens(lm.model, prompt, lm.generation, {
        ...request.settings,
        signal: abort.signal,
      });
      const tokenIds: number[] = [];
      let next = await tokens.next();
      while (!next.done) {
        tokenIds.push(next.value);
        this.post({ type: 'generate-text', id, tokenId: next.value, text: text.push(next.value) });
        next = await tokens.next();
      }
      const rest = text.flush();
      if (rest) this.post({ type: 'generate-text', id, tokenId: -1, text: rest });
      this.post({
        type: 'generate-done',
        id,
        promptTokens: prompt.length,
        tokenIds,
        finishReason: next.value.finishReason,
        seconds: (performance.now() - started) / 1000,
      });
    } catch (err) {
      this.post({ type: 'generate-error', id, message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.running.delete(id);
    }
  }

  stop(id: number): void {
    this.running.get(id)?.abort();
  }

  /** Frees the built decoder (another model was loaded). */
  release(): void {
    for (const abort of this.running.values()) abort.abort();
    this.built?.lm.model.dispose();
    this.built = undefined;
  }

  private decoderFor(loaded: LoadedModel & { kind: 'decoder' }): LoadedCausalLM {
    if (this.built?.from !== loaded || this.built.adapter !== loaded.adapter) {
      // release() ran when that model (or its adapter) was replaced; only its variables can be left.
      this.built?.lm.model.dispose();
      this.built = {
        from: loaded,
        adapter: loaded.adapter,
        lm: adaptedCausalLM(loaded.pretrained, loaded.generationConfig, loaded.adapter?.adapter),
      };
    }
    return this.built.lm;
  }
}

/** The fine-tuned decoder as a generation source: its run's tokenizer (ChatML included) and the model's defaults. */
function fineTunedDecoder(
  trained: TrainedCausalLm | undefined,
): Pick<LoadedCausalLM, 'model' | 'tokenizer' | 'generation'> {
  if (!trained) throw new Error('No fine-tuned model yet: fine-tune the decoder in the Train step first');
  const { loaded } = trained;
  return {
    model: trained.model,
    tokenizer: trained.tokenizer,
    generation: modelGenerationSettings(loaded.generationConfig, loaded.dims, loaded.facts.name),
  };
}
