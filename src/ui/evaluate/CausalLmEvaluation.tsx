// Evaluate for a causal-LM run: its final evaluation (eval_loss, perplexity; BLEU and ROUGE-L for instruction
// and chat data) and the table of validation prompts, references and the model's greedy generations, as the
// worker's final evaluation (core/run/causal-lm.ts) made them.
import type { CausalLmResultsInfo } from '../../worker/protocol';

export function CausalLmEvaluation({ info }: { info: CausalLmResultsInfo }) {
  const final = info.finalEvaluation;
  if (!final) return <p>The run is paused: its weights are evaluated when it ends.</p>;
  return (
    <section className="results-panel" aria-label="Causal LM evaluation" data-testid="causal-lm-evaluation">
      <h3>Evaluation of the fine-tuned model</h3>
      <p data-testid="causal-lm-evaluation-figures">
        Weights of step {final.step}: eval_loss {final.eval_loss.toFixed(4)}, perplexity{' '}
        {final.perplexity.toFixed(2)}
        {final.eval_bleu !== undefined
          ? `, BLEU ${final.eval_bleu.toFixed(2)}, ROUGE-L ${final.eval_rougeL?.toFixed(4)}`
          : ''}
        .
      </p>
      {final.samples && final.samples.length > 0 ? (
        <table className="generation-table" data-testid="generation-table" aria-label="Generations">
          <thead>
            <tr>
              <th scope="col">Prompt</th>
              <th scope="col">Reference</th>
              <th scope="col">Generated (greedy)</th>
            </tr>
          </thead>
          <tbody>
            {final.samples.map((s, i) => (
              <tr key={i}>
                <td className="prompt">{s.prompt}</td>
                <td className="reference">{s.reference}</td>
                <td className="generated">{s.generated}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Plain text has no prompts to complete: loss and perplexity are its evaluation.</p>
      )}
    </section>
  );
}
