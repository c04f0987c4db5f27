// The lines train.py gains for a LoRA run: PEFT attaches the same adapters (same targets, rank, alpha, dropout,
// saved modules) to the base model, only they train, and the script saves what WebTune's export of the run held
// (the merged model, PEFT's adapter folder, or both with the adapter in adapter/).
import { SEQ_CLS_MODULES_TO_SAVE, type LoraConfig } from '../../lora/config';
import { ADAPTER_SUBFOLDER, type LoraExportKind } from '../../lora/export';
import { pyCall, pyValue, type PyArgs } from './python';

export interface ProjectLora {
  config: LoraConfig;
  /** What the run exported (the CLI's --export, the app's choice). */
  export: LoraExportKind;
  /** The run continued a PEFT adapter (Hub id or folder) instead of starting new ones. */
  adapter?: string;
}

export function loraImports(lora: ProjectLora): string[] {
  return [
    lora.adapter ? 'from peft import PeftModel' : 'from peft import LoraConfig, TaskType, get_peft_model',
  ];
}

/** The parser's extra argument, for a run that continued an adapter. */
export function loraParserLines(lora: ProjectLora): string[] {
  return lora.adapter
    ? [`parser.add_argument("--adapter_name_or_path", default=${pyValue(lora.adapter)})`]
    : [];
}

export function loraBlock(lora: ProjectLora): string[] {
  if (lora.adapter)
    return [
      '',
      '# Mode "lora": the run went on training this PEFT adapter (its own rank, alpha and targets).',
      'model = PeftModel.from_pretrained(model, cli.adapter_name_or_path, is_trainable=True)',
      'model.print_trainable_parameters()',
    ];
  const c = lora.config;
  const classifier = c.task_type === 'SEQ_CLS';
  // PEFT's SEQ_CLS task trains and saves the classification head by itself: only other modules are listed.
  const extraSaved = (c.modules_to_save ?? []).filter(
    (m) => !(classifier && SEQ_CLS_MODULES_TO_SAVE.includes(m)),
  );
  const values: PyArgs = {
    task_type: { python: `TaskType.${c.task_type}` },
    r: c.r,
    lora_alpha: c.lora_alpha,
    lora_dropout: c.lora_dropout,
    target_modules: c.target_modules,
    modules_to_save: extraSaved.length > 0 ? extraSaved : undefined,
    use_rslora: c.use_rslora || undefined,
  };
  return [
    '',
    classifier
      ? '# Mode "lora": only the low-rank adapters (and the classification head) train; the base stays frozen.'
      : '# Mode "lora": only the low-rank adapters train; the base model stays frozen.',
    `peft_config = ${pyCall('LoraConfig', values, '')}`,
    'model = get_peft_model(model, peft_config)',
    'model.print_trainable_parameters()',
  ];
}

/** The end of the script: the folders WebTune's export of this run wrote, with their cards. */
export function loraSaveBlock(lora: ProjectLora): string[] {
  const adapterLines = (dir: string) => [
    `trainer.model.save_pretrained(${dir})`,
    `tokenizer.save_pretrained(${dir})`,
    `write_model_card(${dir}, trainer, final, library_name="peft")`,
  ];
  const mergedLines = [
    '# W + (alpha / r) · B·A folded into each adapted weight: a plain transformers model, no PEFT needed.',
    'merged = trainer.model.merge_and_unload()',
    'merged.save_pretrained(cli.output_dir)',
    'tokenizer.save_pretrained(cli.output_dir)',
    'write_model_card(cli.output_dir, trainer, final)',
  ];
  if (lora.export === 'adapter')
    return ["# PEFT's adapter folder, as the run exported it.", ...adapterLines('cli.output_dir')];
  if (lora.export === 'merged') return mergedLines;
  const adapterDir = `f"{cli.output_dir}/${ADAPTER_SUBFOLDER}"`;
  return [
    `# As the run exported it: the merged model in output_dir, PEFT's adapter folder in output_dir/${ADAPTER_SUBFOLDER}.`,
    ...adapterLines(adapterDir),
    ...mergedLines,
  ];
}
