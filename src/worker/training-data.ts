/** The longest sequence a run keeps: what the person chose, within the model's positions and tokenizer. */
export function effectiveMaxLength(requested: number, modelMax: number): number {
  if (!Number.isInteger(requested) || requested < 8)
    throw new Error(`max_length must be an integer of at least 8 tokens, got ${requested}`);
  return Math.min(requested, modelMax);
}
