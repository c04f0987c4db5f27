// The hyper-parameter form, rendered from the training-argument table: each field under a human label with its
// library name beside it ("Learning rate · learning_rate", also its accessible name), number inputs, switches
// for booleans, a choice for enumerations; an invalid field is outlined and says why.
import type { ReactNode } from 'react';
import type { GenerativeKind } from '../../core/data/generative';
import type { TaskName } from '../../core/models/registry';
import { applies, defaultDescription, type ArgumentEntry, type FormGroup } from '../../core/argument-table';
import {
  effectiveBatch,
  FORM_ENTRIES,
  formChoices,
  isOptional,
  MODE_EXPLANATIONS,
  parseSetting,
  type TrainSettings,
} from './defaults';
import { causalLmFieldApplies } from './causal-lm-settings';

export type SettingsText = Record<keyof TrainSettings, string>;

export function settingsText(s: TrainSettings): SettingsText {
  return Object.fromEntries(
    FORM_ENTRIES.map((e) => {
      const value = (s as unknown as Record<string, unknown>)[e.name];
      return [e.name, value === undefined ? '' : String(value)];
    }),
  ) as SettingsText;
}

/** Parses the form; returns the settings or the first problem. */
export function parseSettings(
  text: SettingsText,
  task: TaskName = 'sequence-classification',
): { settings?: TrainSettings; error?: string } {
  const out: Record<string, unknown> = {};
  for (const entry of FORM_ENTRIES) {
    const { value, problem } = parseSetting(entry, text[entry.name as keyof TrainSettings] ?? '', task);
    if (problem) return { error: problem };
    out[entry.name] = value;
  }
  return { settings: out as unknown as TrainSettings };
}

interface Props {
  text: SettingsText;
  onChange: (text: SettingsText) => void;
  disabled: boolean;
  /** The task the run trains for: its own fields show (a causal LM's data options, a classifier's max_length). */
  task?: TaskName;
  /** A causal LM's kind of data: which loss mask applies (completion_only_loss or assistant_only_loss). */
  dataKind?: GenerativeKind;
  /** What is wrong with the causal-LM data options for this model (a block larger than its context). */
  causalLmError?: string;
  /** The model's defaults, for "Reset to defaults" (the button shows when onReset is given). */
  defaults?: SettingsText;
  onReset?: () => void;
  /** Shown under the mode's explanation: what each mode trains and holds (the Train step's budget). */
  budget?: ReactNode;
  /** Shown instead of the LoRA fields when a run continues a loaded PEFT adapter (its config is fixed). */
  loraNote?: ReactNode;
}

function FieldInput({
  entry,
  text,
  onChange,
  disabled,
  task,
}: Pick<Props, 'text' | 'onChange' | 'disabled'> & { entry: ArgumentEntry; task: TaskName }) {
  const name = entry.name as keyof TrainSettings;
  const id = `hp-${entry.name}`;
  const value = text[name] ?? '';
  const { problem } = parseSetting(entry, value, task);
  const set = (next: string) => onChange({ ...text, [name]: next });
  const common = {
    id,
    disabled,
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': `${id}-help`,
  } as const;
  const choices = formChoices(entry, task);
  const kind = entry.kind;
  let input: ReactNode;
  if (kind.type === 'bool')
    input = (
      <input
        {...common}
        type="checkbox"
        role="switch"
        className="hp-switch"
        checked={value === 'true'}
        onChange={(e) => set(String(e.target.checked))}
      />
    );
  else if (choices)
    input = (
      <select {...common} value={value} onChange={(e) => set(e.target.value)}>
        {(choices.includes(value) ? choices : [value, ...choices]).map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    );
  else if (kind.type === 'int' || kind.type === 'float')
    input = (
      <input
        {...common}
        type="number"
        min={kind.min}
        max={kind.type === 'float' ? kind.max : undefined}
        step={kind.type === 'int' ? 1 : 'any'}
        placeholder={isOptional(entry) ? defaultDescription(entry) : undefined}
        value={value}
        onChange={(e) => set(e.target.value)}
      />
    );
  else
    input = (
      <input {...common} type="text" spellCheck={false} value={value} onChange={(e) => set(e.target.value)} />
    );
  return (
    <div
      className={`hp-field${kind.type === 'bool' ? ' hp-field-switch' : ''}${problem ? ' hp-invalid' : ''}`}
    >
      <label htmlFor={id}>
        {entry.label} <span className="hp-name">· {entry.name}</span>
      </label>
      {input}
      <span id={`${id}-help`} className="hp-help">
        {problem ? <span className="error">{problem}. </span> : null}
        {entry.help}
      </span>
    </div>
  );
}

export function HyperParameters(props: Props) {
  const task = props.task ?? 'sequence-classification';
  const mode = props.text.mode as TrainSettings['mode'];
  const parsed = parseSettings(props.text, task);
  const { dataKind } = props;
  const fields = (group: FormGroup, keep: (e: ArgumentEntry) => boolean = () => true) =>
    FORM_ENTRIES.filter((e) => e.form === group && applies(e, task, mode) && keep(e)).map((e) => (
      <FieldInput key={e.name} entry={e} task={task} {...props} />
    ));
  const { defaults, onReset } = props;
  const changed =
    defaults !== undefined &&
    FORM_ENTRIES.some((e) => {
      const k = e.name as keyof TrainSettings;
      return props.text[k] !== defaults[k];
    });
  return (
    <fieldset className="hyper-parameters">
      <legend>Hyper-parameters</legend>
      <div className="hp-grid">{fields('main')}</div>
      {task === 'causal-lm' && dataKind && (
        <fieldset className="causal-lm-fields" data-testid="causal-lm-fields" data-kind={dataKind}>
          <legend>Language-model data ({dataKind} data; TRL&apos;s SFTConfig names)</legend>
          <div className="hp-grid">{fields('causal-lm', (e) => causalLmFieldApplies(e.name, dataKind))}</div>
          {props.causalLmError && (
            <p role="alert" className="alert" data-testid="causal-lm-fields-error">
              {props.causalLmError}
            </p>
          )}
        </fieldset>
      )}
      <p className="mode-explanation" data-testid="mode-explanation">
        {MODE_EXPLANATIONS[mode] ?? ''}
      </p>
      {mode === 'lora' && props.loraNote}
      {mode === 'lora' && !props.loraNote && (
        <fieldset className="lora-fields">
          <legend>LoRA (PEFT&apos;s LoraConfig)</legend>
          <div className="hp-grid">{fields('lora')}</div>
        </fieldset>
      )}
      {props.budget}
      <p className="effective-batch" data-testid="effective-batch">
        Effective batch:{' '}
        {parsed.settings
          ? `${effectiveBatch(parsed.settings)} examples per update (${parsed.settings.per_device_train_batch_size} × ${parsed.settings.gradient_accumulation_steps})`
          : '–'}
      </p>
      <details>
        <summary>More settings</summary>
        <div className="hp-grid">{fields('more')}</div>
      </details>
      {onReset && (
        <button type="button" className="hp-reset" disabled={props.disabled || !changed} onClick={onReset}>
          Reset to defaults
        </button>
      )}
    </fieldset>
  );
}
