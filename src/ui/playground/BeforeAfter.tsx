// Before / after: the same prompt answered by the base model and by the fine-tuned one (the last causal-LM
// run's decoder), side by side, with the Playground's sampling settings. The two run one after the other.
import { useState, type FormEvent } from 'react';
import { startGeneration, type GenerationSummary } from '../../worker/generation-client';
import type { PlaygroundGenerationSettings } from '../../worker/protocol';

type Side = 'base' | 'fine-tuned';

interface Answer {
  text: string;
  summary?: GenerationSummary;
}

export function BeforeAfter({
  settings,
  runName,
}: {
  settings: PlaygroundGenerationSettings;
  /** What the fine-tuned side is called (the run's model). */
  runName: string;
}) {
  const [prompt, setPrompt] = useState('');
  const [answers, setAnswers] = useState<Partial<Record<Side, Answer>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const compare = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setAnswers({});
    try {
      for (const side of ['base', 'fine-tuned'] as const) {
        let text = '';
        const generation = startGeneration(
          { kind: 'text', text: prompt },
          settings,
          (piece) => {
            text += piece;
            setAnswers((a) => ({ ...a, [side]: { text } }));
          },
          side,
        );
        const summary = await generation.done;
        setAnswers((a) => ({ ...a, [side]: { text, summary } }));
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="before-after" aria-label="Before and after" data-testid="before-after">
      <h4>Before and after fine-tuning</h4>
      <form className="playground-form" onSubmit={(e) => void compare(e)}>
        <label>
          Prompt for both models
          <textarea rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || prompt === ''}>
          Compare
        </button>
      </form>
      <div className="before-after-columns">
        {(['base', 'fine-tuned'] as const).map((side) => (
          <figure key={side}>
            <figcaption>{side === 'base' ? 'Base model' : `Fine-tuned (${runName})`}</figcaption>
            <output
              className="completion"
              data-testid={`compare-${side}`}
              data-token-ids={
                answers[side]?.summary ? JSON.stringify(answers[side]?.summary?.tokenIds) : undefined
              }
            >
              {answers[side]?.text}
            </output>
          </figure>
        ))}
      </div>
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
