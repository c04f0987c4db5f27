// Turns a stream of token ids into a stream of text: each new id yields the text it adds. Byte-level BPE splits
// a character across tokens, so text that ends in an incomplete character (U+FFFD) is held back until the
// next token completes it, as transformers' TextStreamer waits for printable text.
import type { TextTokenizer } from '../tokenize/tokenizer';

export class TextStream {
  private readonly ids: number[] = [];
  private emitted = 0;

  constructor(
    private readonly tokenizer: TextTokenizer,
    private readonly skipSpecialTokens = true,
  ) {}

  /** The text the new token adds (possibly empty while a character is incomplete). */
  push(id: number): string {
    this.ids.push(id);
    const text = this.tokenizer.decode(this.ids, this.skipSpecialTokens);
    if (text.endsWith('\uFFFD')) return '';
    const delta = text.slice(this.emitted);
    this.emitted = text.length;
    return delta;
  }

  /** Whatever is left (an incomplete character at the very end comes out as U+FFFD). */
  flush(): string {
    const text = this.tokenizer.decode(this.ids, this.skipSpecialTokens);
    const delta = text.slice(this.emitted);
    this.emitted = text.length;
    return delta;
  }
}
