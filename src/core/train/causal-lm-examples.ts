// Generative records (core/data/generative.ts) → the causal-LM task's examples, as transformers' run_clm and
// TRL's SFTTrainer make them. Plain text: each text tokenised, the EOS token after it; packed, all of them
// concatenated and cut into block_size blocks with the remainder dropped (the validation split the same way),
// or one example per row, cut at block_size. Instruction data: the ids of prompt + completion and EOS, the
// prompt's tokens without loss by default (completion_only_loss). Chat: the conversation rendered with the
// model's chat template, only the assistant turns with loss by default (assistant_only_loss).
import type { ChatTurn, GenerativeRecord } from '../data/generative';
import { IGNORE_INDEX } from '../models/causal-lm';
import type { CausalLmExample } from '../tasks/causal-lm';
import type { TextTokenizer } from '../tokenize/tokenizer';

// The options and their defaults live with the data (tfjs-free), so the app's Train form checks them too.
export {
  defaultBlockSize,
  resolveCausalLmDataOptions,
  type CausalLmDataOptions,
} from '../data/causal-lm-options';
import type { CausalLmDataOptions } from '../data/causal-lm-options';

/** One record's ids and labels, whole (not cut to the block size). */
export function tokenizeRecord(
  tokenizer: TextTokenizer,
  record: GenerativeRecord,
  eosTokenId: number,
  options: Pick<CausalLmDataOptions, 'completion_only_loss' | 'assistant_only_loss'>,
): CausalLmExample {
  if (record.kind === 'text') {
    const ids = [...tokenizer.encodeText(record.text), eosTokenId];
    return { inputIds: ids, labels: [...ids] };
  }
  if (record.kind === 'instruction') {
    // TRL: the prompt alone and prompt + completion tokenised, the prompt's length marks where loss starts.
    const promptLength = tokenizer.encodeText(record.prompt).length;
    const ids = [...tokenizer.encodeText(record.prompt + record.completion), eosTokenId];
    const labels = ids.map((id, t) => (options.completion_only_loss && t < promptLength ? IGNORE_INDEX : id));
    return { inputIds: ids, labels };
  }
  return tokenizeConversation(tokenizer, record.messages, options.assistant_only_loss);
}

/**
 * A conversation through the chat template, turn by turn: each turn's text is what rendering one more message
 * adds, and an assistant turn's text after the generation prompt (`<|im_start|>assistant\n`) is its own. The
 * template must render a conversation's beginning as a prefix of the whole (ChatML and most templates do). No
 * EOS is appended, as TRL appends none to conversations: the template ends each turn with the model's own end
 * token (ChatML's <|im_end|>, the eos of a model it was added to).
 */
function tokenizeConversation(
  tokenizer: TextTokenizer,
  messages: readonly ChatTurn[],
  assistantOnly: boolean,
): CausalLmExample {
  const render = (n: number, generationPrompt: boolean) =>
    n === 0 ? '' : tokenizer.applyChatTemplate(messages.slice(0, n), generationPrompt).text;
  const ids: number[] = [];
  const labels: number[] = [];
  const add = (text: string, withLoss: boolean) => {
    const piece = tokenizer.encodeText(text, false);
    ids.push(...piece);
    labels.push(...piece.map((id) => (withLoss ? id : IGNORE_INDEX)));
  };
  let done = '';
  const advance = (next: string, withLoss: boolean) => {
    if (!next.startsWith(done))
      throw new Error(
        `The chat template of ${tokenizer.model} does not render a conversation's beginning as a prefix of ` +
          'the whole, so the assistant turns cannot be told apart; set assistant_only_loss to false',
      );
    add(next.slice(done.length), withLoss);
    done = next;
  };
  messages.forEach((turn, i) => {
    if (turn.role === 'assistant') {
      // For a conversation beginning with the assistant, the generation prompt alone precedes it.
      advance(tokenizer.applyChatTemplate(messages.slice(0, i), true).text, !assistantOnly);
      advance(render(i + 1, false), true);
    } else advance(render(i + 1, false), !assistantOnly);
  });
  return { inputIds: ids, labels };
}

export interface CausalLmExamples {
  examples: CausalLmExample[];
  /** Rows longer than block_size and the tokens they lose (unpacked: cut off; packed: none, blocks span rows). */
  tooLong: { rows: number; tokensLost: number };
  /** Packed: the tokens of the last, incomplete block, dropped as run_clm drops them. */
  remainderDropped: number;
  /** Tokens of the rows before packing or cutting. */
  tokens: number;
}

/** Records → examples (see the file's comment); every example has at least 2 tokens. */
export function buildCausalLmExamples(
  tokenizer: TextTokenizer,
  records: readonly GenerativeRecord[],
  eosTokenId: number,
  options: CausalLmDataOptions,
): CausalLmExamples {
  const size = options.block_size;
  const rows = records.map((r) => tokenizeRecord(tokenizer, r, eosTokenId, options));
  const tokens = rows.reduce((n, r) => n + r.inputIds.length, 0);
  if (options.packing) {
    const ids = rows.flatMap((r) => r.inputIds);
    const labels = rows.flatMap((r) => r.labels);
    const blocks = Math.floor(ids.length / size);
    const examples = Array.from({ length: blocks }, (_, b) => ({
      inputIds: ids.slice(b * size, (b + 1) * size),
      labels: labels.slice(b * size, (b + 1) * size),
    }));
    return {
      examples,
      tooLong: { rows: 0, tokensLost: 0 },
      remainderDropped: ids.length - blocks * size,
      tokens,
    };
  }
  let tooLongRows = 0;
  let tokensLost = 0;
  const examples: CausalLmExample[] = [];
  for (const row of rows) {
    if (row.inputIds.length > size) {
      tooLongRows += 1;
      tokensLost += row.inputIds.length - size;
    }
    const cut = { inputIds: row.inputIds.slice(0, size), labels: row.labels.slice(0, size) };
    if (cut.inputIds.length >= 2) examples.push(cut);
  }
  return { examples, tooLong: { rows: tooLongRows, tokensLost }, remainderDropped: 0, tokens };
}

/** A validation prompt and the text it should be answered with, for the generation metrics. */
export interface GenerationPrompt {
  prompt: string;
  promptIds: number[];
  reference: string;
  referenceTokens: number;
}

/**
 * The prompts of instruction and chat records (plain text has none): the prompt, or the conversation up to its
 * last assistant turn with the generation prompt; the reference is that completion or turn.
 */
export function generationPrompts(
  tokenizer: TextTokenizer,
  records: readonly GenerativeRecord[],
): GenerationPrompt[] {
  const out: GenerationPrompt[] = [];
  for (const r of records) {
    if (r.kind === 'instruction') {
      out.push({
        prompt: r.prompt,
        promptIds: tokenizer.encodeText(r.prompt),
        reference: r.completion,
        referenceTokens: tokenizer.encodeText(r.completion, false).length,
      });
    } else if (r.kind === 'chat') {
      const last = r.messages.map((t) => t.role).lastIndexOf('assistant');
      const { text, ids } = tokenizer.applyChatTemplate(r.messages.slice(0, last), true);
      const reference = r.messages[last]!.content;
      out.push({
        prompt: text,
        promptIds: ids,
        reference,
        referenceTokens: tokenizer.encodeText(reference, false).length,
      });
    }
  }
  return out;
}
