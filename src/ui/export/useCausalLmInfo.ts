// The open causal-LM run's decoder as the worker describes it (Export, Evaluate): the last one trained, or the
// one a stored run was opened with (the run list, a reload); asked on mount and again after each opening.
import { useEffect, useState } from 'react';
import { useOpenedRuns } from '../evaluate/results-store';
import { askResults } from '../../worker/results-client';
import type { CausalLmResultsInfo } from '../../worker/protocol';

export function useCausalLmInfo(): CausalLmResultsInfo | null | undefined {
  const [info, setInfo] = useState<CausalLmResultsInfo | null>();
  const opened = useOpenedRuns();
  useEffect(() => {
    let live = true;
    askResults({ type: 'causal-lm-info' }, 'causal-lm').then(
      (reply) => live && setInfo(reply.info),
      () => live && setInfo(null),
    );
    return () => {
      live = false;
    };
  }, [opened]);
  return info;
}
