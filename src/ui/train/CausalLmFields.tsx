// A decoder's data options in the Train step, under TRL's SFTConfig names: block_size and packing for every
// kind of data, completion_only_loss for instruction data, assistant_only_loss for chat.
import type { GenerativeKind } from '../../core/data/generative';
import { causalLmFieldValues, parseCausalLmFields, type CausalLmText } from './causal-lm-settings';

const HELP = {
  block_size:
    'Tokens per packed block, and the longest example kept unpacked (default: min(model context, 512)).',
  packing:
    'true: texts joined with EOS and cut into block_size blocks (the remainder dropped); false: one padded example per row.',
  completion_only_loss: 'Instruction data: loss only on the completion’s tokens.',
  assistant_only_loss: 'Chat: loss only on the assistant turns.',
} as const;

export function CausalLmFields({
  kind,
  modelMaxLength,
  edits,
  onChange,
  disabled,
}: {
  kind: GenerativeKind;
  modelMaxLength: number;
  edits: CausalLmText;
  onChange: (edits: CausalLmText) => void;
  disabled: boolean;
}) {
  const values = causalLmFieldValues(kind, modelMaxLength, edits);
  const { error } = parseCausalLmFields(kind, modelMaxLength, edits);
  const applies = {
    block_size: true,
    packing: true,
    completion_only_loss: kind === 'instruction',
    assistant_only_loss: kind === 'chat',
  };
  const choice = (name: 'packing' | 'completion_only_loss' | 'assistant_only_loss') => (
    <select
      id={`clm-${name}`}
      value={values[name]}
      disabled={disabled}
      aria-describedby={`clm-${name}-help`}
      onChange={(e) => onChange({ ...edits, [name]: e.target.value })}
    >
      <option>true</option>
      <option>false</option>
    </select>
  );
  return (
    <fieldset className="causal-lm-fields" data-testid="causal-lm-fields" data-kind={kind}>
      <legend>Causal LM data ({kind} data; TRL&apos;s SFTConfig names)</legend>
      <div className="hp-grid">
        {(['block_size', 'packing', 'completion_only_loss', 'assistant_only_loss'] as const)
          .filter((name) => applies[name])
          .map((name) => (
            <div className="hp-field" key={name}>
              <label htmlFor={`clm-${name}`}>{name}</label>
              {name === 'block_size' ? (
                <input
                  id="clm-block_size"
                  type="text"
                  inputMode="numeric"
                  value={values.block_size}
                  disabled={disabled}
                  aria-invalid={error?.startsWith('block_size') ? true : undefined}
                  aria-describedby="clm-block_size-help"
                  onChange={(e) => onChange({ ...edits, block_size: e.target.value })}
                />
              ) : (
                choice(name)
              )}
              <span id={`clm-${name}-help`} className="hp-help">
                {HELP[name]}
              </span>
            </div>
          ))}
      </div>
      {error && (
        <p role="alert" className="alert" data-testid="causal-lm-fields-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
