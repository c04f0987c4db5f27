// The Train form's measured pace before Start: once the settings that shape a training pass (the model, the
// dataset, the batch size, max_length or a decoder's data options, the mode and its LoRA fields) have settled,
// the worker times one pass of the run's batches (MeasureStepTimeRequest); the estimate for any epochs,
// accumulation or evaluation settings is then arithmetic on it (core/train/time-estimate.ts). A measurement made for other
// settings is never returned, so a stale estimate goes as soon as those settings change.
import { useEffect, useRef, useState } from 'react';
import type { TaskName } from '../../core/models/registry';
import type { MeasureStepTimeRequest, StepTimeMeasurement } from '../../worker/protocol';
import { askResults } from '../../worker/results-client';
import { toCausalLmOptions, toLoraFields, type TrainSettings } from './defaults';

/** How long the shaping settings must stay unchanged before a measurement is asked for (typing a number). */
const SETTLE_MS = 600;

export type StepTimingState =
  | { state: 'measuring' }
  | { state: 'measured'; timing: StepTimeMeasurement }
  | { state: 'failed'; error: string };

type Body = Omit<MeasureStepTimeRequest, 'id'>;

/** The measurement for these settings, or undefined when there is nothing to measure (`enabled` false). */
export function useStepTiming(
  enabled: boolean,
  modelName: string | undefined,
  datasetId: string | undefined,
  settings: TrainSettings | undefined,
  /** A decoder's run: its data options (block_size, packing, …) shape its examples too. */
  causalLm: boolean,
  /** A decoder's task (an encoder's is always sequence-classification). */
  task?: TaskName,
): StepTimingState | undefined {
  const body: Body | undefined =
    enabled && modelName !== undefined && datasetId !== undefined && settings
      ? {
          type: 'measure-step-time',
          datasetId,
          maxLength: settings.max_length,
          args: { per_device_train_batch_size: settings.per_device_train_batch_size, mode: settings.mode },
          ...(settings.mode === 'lora' ? { lora: toLoraFields(settings) } : {}),
          ...(causalLm ? { causalLm: toCausalLmOptions(settings) } : {}),
          ...(task ? { task } : {}),
        }
      : undefined;
  const key = body && JSON.stringify([modelName, body]);
  // Measurements already made on this page, by settings: going back to earlier settings needs no new one.
  // The effect reads the ref (so a reply for other settings does not restart the wait); render reads the state.
  const cache = useRef(new Map<string, StepTimeMeasurement>());
  const [measured, setMeasured] = useState<ReadonlyMap<string, StepTimeMeasurement>>(new Map());
  const [failure, setFailure] = useState<{ key: string; error: string }>();
  useEffect(() => {
    if (key === undefined || cache.current.has(key)) return;
    let live = true;
    const timer = setTimeout(() => {
      const [, request] = JSON.parse(key) as [string, Body];
      // Asked again (a run refused the last try, say): the old failure goes while this one is measured.
      setFailure((f) => (f?.key === key ? undefined : f));
      askResults(request, 'step-time').then(
        (reply) => {
          cache.current.set(key, reply.timing);
          setMeasured(new Map(cache.current));
        },
        (err: unknown) =>
          live && setFailure({ key, error: err instanceof Error ? err.message : String(err) }),
      );
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  if (key === undefined) return undefined;
  const timing = measured.get(key);
  if (timing) return { state: 'measured', timing };
  if (failure?.key === key) return { state: 'failed', error: failure.error };
  return { state: 'measuring' };
}
