// The hyper-parameter form: each setting under its TrainingArguments name, with a one-line explanation.
import type { ReactNode } from 'react';
import {
  effectiveBatch,
  LORA_FIELDS,
  MAIN_FIELDS,
  MODE_EXPLANATIONS,
  MORE_FIELDS,
  settingError,
  type Field,
  type TrainSettings,
} from './defaults';

export type SettingsText = Record<keyof TrainSettings, string>;

export function settingsText(s: TrainSettings): SettingsText {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, String(v)])) as SettingsText;
}

/** Parses the form; returns the settings or the first problem. */
export function parseSettings(text: SettingsText): { settings?: TrainSettings; error?: string } {
  const out: Record<string, unknown> = {};
  for (const field of [...MAIN_FIELDS, ...MORE_FIELDS, ...LORA_FIELDS]) {
    const raw = text[field.name];
    const problem = settingError(field, field.kind === 'number' ? raw.trim() : raw);
    if (problem) return { error: problem };
    out[field.name] = field.kind === 'number' ? Number(raw) : raw;
  }
  return { settings: out as unknown as TrainSettings };
}

interface Props {
  text: SettingsText;
  onChange: (text: SettingsText) => void;
  disabled: boolean;
  /** Shown under the mode's explanation: what each mode trains and holds (the Train step's budget). */
  budget?: ReactNode;
  /** Shown instead of the LoRA fields when a run continues a loaded PEFT adapter (its config is fixed). */
  loraNote?: ReactNode;
}

function FieldInput({ field, text, onChange, disabled }: Props & { field: Field }) {
  const id = `hp-${field.name}`;
  const value = text[field.name];
  const problem = settingError(field, field.kind === 'number' ? value.trim() : value);
  return (
    <div className="hp-field">
      <label htmlFor={id}>{field.name}</label>
      {field.kind === 'choice' ? (
        <select
          id={id}
          value={value}
          disabled={disabled}
          aria-describedby={`${id}-help`}
          onChange={(e) => onChange({ ...text, [field.name]: e.target.value })}
        >
          {field.options.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      ) : field.kind === 'modules' ? (
        <input
          id={id}
          type="text"
          spellCheck={false}
          value={value}
          disabled={disabled}
          aria-invalid={problem ? true : undefined}
          aria-describedby={`${id}-help`}
          onChange={(e) => onChange({ ...text, [field.name]: e.target.value })}
        />
      ) : (
        <input
          id={id}
          type="text"
          inputMode="decimal"
          value={value}
          disabled={disabled}
          aria-invalid={problem ? true : undefined}
          aria-describedby={`${id}-help`}
          onChange={(e) => onChange({ ...text, [field.name]: e.target.value })}
        />
      )}
      <span id={`${id}-help`} className="hp-help">
        {problem ? <span className="error">{problem}. </span> : null}
        {field.help}
      </span>
    </div>
  );
}

export function HyperParameters(props: Props) {
  const parsed = parseSettings(props.text);
  return (
    <fieldset className="hyper-parameters">
      <legend>Hyper-parameters</legend>
      <div className="hp-grid">
        {MAIN_FIELDS.map((f) => (
          <FieldInput key={f.name} field={f} {...props} />
        ))}
      </div>
      <p className="mode-explanation" data-testid="mode-explanation">
        {MODE_EXPLANATIONS[props.text.mode as keyof typeof MODE_EXPLANATIONS] ?? ''}
      </p>
      {props.text.mode === 'lora' && props.loraNote}
      {props.text.mode === 'lora' && !props.loraNote && (
        <fieldset className="lora-fields">
          <legend>LoRA (PEFT&apos;s LoraConfig)</legend>
          <div className="hp-grid">
            {LORA_FIELDS.map((f) => (
              <FieldInput key={f.name} field={f} {...props} />
            ))}
          </div>
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
        <div className="hp-grid">
          {MORE_FIELDS.map((f) => (
            <FieldInput key={f.name} field={f} {...props} />
          ))}
        </div>
      </details>
    </fieldset>
  );
}
