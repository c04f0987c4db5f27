// The Evaluate step for a decoder: the last causal-LM run's evaluation (when it fine-tuned this model) above
// the Playground, which then also answers a prompt with the base and the fine-tuned model side by side.
import type { ModelFacts } from '../../worker/protocol';
import { useCausalLmInfo } from '../export/useCausalLmInfo';
import { GenerationPlayground } from '../playground/GenerationPlayground';
import { CausalLmEvaluation } from './CausalLmEvaluation';

export function DecoderEvaluate({ facts }: { facts: ModelFacts }) {
  const info = useCausalLmInfo();
  const own = info && info.modelName === facts.name ? info : undefined;
  return (
    <>
      {own && <CausalLmEvaluation info={own} />}
      {info !== undefined && (
        <GenerationPlayground facts={facts} fineTunedRun={own ? `${own.modelName} fine-tuned` : undefined} />
      )}
    </>
  );
}
