// A CLI run's LoRA adapters, the same for classifiers and causal LMs: --adapter's config and values, or new
// adapters from the --lora-* flags; said on stderr, and kept for the run record (so --project can write the
// PEFT set-up that reproduces them).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProjectLora } from '../core/export/project/lora';
import { countParameters, formatParameterShare } from '../core/lora/budget';
import { LoraConfigError, type LoraTaskType } from '../core/lora/config';
import { attachRunLora } from '../core/lora/run-adapters';
import type { LoraTarget } from '../core/lora/attach';
import type { Architecture } from '../core/models/types';
import type { TrainCliOptions } from './args';
import { CliError } from './fail';
import { loadAdapter } from './load-model';

/** Attaches the adapters to `model` (seeded by `seed`); a config PEFT would refuse is a CliError. */
export async function attachCliLora(
  model: LoraTarget & { architecture: Architecture },
  task: LoraTaskType,
  o: Pick<TrainCliOptions, 'adapter' | 'hub' | 'lora' | 'export'>,
  run: { seed: number; modelName: string },
  say: (text: string) => void,
): Promise<ProjectLora> {
  const adapter = o.adapter ? await loadAdapter(o.adapter, o.hub) : undefined;
  let lora;
  try {
    lora = attachRunLora(model, task, { ...run, adapter, fields: o.lora });
  } catch (error) {
    if (error instanceof LoraConfigError) throw new CliError(error.message);
    throw error;
  }
  say(
    `lora: r ${lora.config.r}, alpha ${lora.config.lora_alpha} on ${lora.targetNames.join(', ')}; ` +
      `trainable ${formatParameterShare(countParameters(model))}`,
  );
  return {
    config: lora.config,
    export: o.export,
    // A folder by its absolute path, so the project's script finds it from its own folder.
    ...(o.adapter ? { adapter: existsSync(o.adapter) ? resolve(o.adapter) : o.adapter } : {}),
  };
}
