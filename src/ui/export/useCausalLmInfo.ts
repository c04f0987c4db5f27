// The last causal-LM run's decoder as the worker describes it (Export, Evaluate), asked once per mount.
import { useEffect, useState } from 'react';
import { askResults } from '../../worker/results-client';
import type { CausalLmResultsInfo } from '../../worker/protocol';

export function useCausalLmInfo(): CausalLmResultsInfo | null | undefined {
  const [info, setInfo] = useState<CausalLmResultsInfo | null>();
  useEffect(() => {
    let live = true;
    askResults({ type: 'causal-lm-info' }, 'causal-lm').then(
      (reply) => live && setInfo(reply.info),
      () => live && setInfo(null),
    );
    return () => {
      live = false;
    };
  }, []);
  return info;
}
