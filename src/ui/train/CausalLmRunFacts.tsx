// A causal-LM run's facts in the Train step: what its data became once tokenised (examples, over-long rows
// and the tokens they lose, what packing dropped, ChatML added) and its final evaluation (eval_loss,
// perplexity, and BLEU / ROUGE-L of greedy generations for instruction and chat data), as JSON too for automation.
import type { RunRecord } from '../../core/storage/run-types';

export function CausalLmRunFacts({ run }: { run: RunRecord }) {
  const data = run.causalLmData;
  const options = run.causalLm;
  const final = run.finalEvaluation;
  return (
    <div className="causal-lm-run">
      {data && options?.block_size !== undefined && (
        <p data-testid="causal-lm-data" data-kind={data.kind}>
          {data.kind} data: {run.trainExamples} training and {run.evalExamples} validation{' '}
          {options.packing
            ? `blocks of ${options.block_size} tokens`
            : `rows of at most ${options.block_size} tokens`}
          {data.tooLong
            ? `; ${data.tooLong.rows} over-long ${data.tooLong.rows === 1 ? 'row loses' : 'rows lose'} ${data.tooLong.tokensLost} tokens`
            : '; no over-long rows'}
          {options.packing
            ? `; packing dropped the last ${data.remainderDropped.train} training and ${data.remainderDropped.validation} validation tokens`
            : ''}
          {data.chatTemplateAdded ? '; the model had no chat template: ChatML was added' : ''}.
        </p>
      )}
      {final && (
        <p data-testid="causal-lm-final">
          Final evaluation (weights of step {final.step}): eval_loss {final.eval_loss.toFixed(4)}, perplexity{' '}
          {final.perplexity.toFixed(2)}
          {final.eval_bleu !== undefined
            ? `, BLEU ${final.eval_bleu.toFixed(2)}, ROUGE-L ${final.eval_rougeL?.toFixed(4)}`
            : ''}
          .
          <span data-testid="causal-lm-final-json" hidden>
            {JSON.stringify(final)}
          </span>
        </p>
      )}
    </div>
  );
}
