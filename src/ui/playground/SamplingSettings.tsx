import type { PlaygroundGenerationSettings } from '../../worker/protocol';

interface Props {
  settings: PlaygroundGenerationSettings;
  onChange: (settings: PlaygroundGenerationSettings) => void;
  disabled: boolean;
}

type NumberKey = Exclude<keyof PlaygroundGenerationSettings, 'doSample' | 'seed'>;

// Each field under its transformers GenerationConfig name too, which automation uses.
const NUMBER_FIELDS: {
  key: NumberKey;
  label: string;
  name: string;
  min: number;
  step: number;
  sampling?: true;
}[] = [
  { key: 'maxNewTokens', label: 'Max new tokens', name: 'max_new_tokens', min: 1, step: 1 },
  { key: 'temperature', label: 'Temperature', name: 'temperature', min: 0.01, step: 0.05, sampling: true },
  { key: 'topK', label: 'Top-k', name: 'top_k', min: 0, step: 1, sampling: true },
  { key: 'topP', label: 'Top-p', name: 'top_p', min: 0.01, step: 0.05, sampling: true },
  { key: 'repetitionPenalty', label: 'Repetition penalty', name: 'repetition_penalty', min: 0.1, step: 0.05 },
];

/** How the next tokens are chosen: greedy (the default) or sampled, and how much. */
export function SamplingSettings({ settings, onChange, disabled }: Props) {
  const set = (patch: Partial<PlaygroundGenerationSettings>) => onChange({ ...settings, ...patch });
  return (
    <fieldset className="sampling-settings" disabled={disabled}>
      <legend>Generation settings</legend>
      <label className="switch">
        <input
          type="checkbox"
          checked={settings.doSample}
          onChange={(e) => set({ doSample: e.target.checked })}
        />
        Sample · do_sample
      </label>
      <p className="hint">
        {settings.doSample ? 'Samples each token: varied text.' : 'Greedy: the most likely token each time.'}
      </p>
      {NUMBER_FIELDS.filter((f) => !f.sampling || settings.doSample).map((f) => (
        <label key={f.key}>
          {f.label} · {f.name}
          <input
            type="number"
            min={f.min}
            step={f.step}
            value={settings[f.key]}
            onChange={(e) => {
              const value = Number(e.target.value);
              if (e.target.value !== '' && Number.isFinite(value) && value >= f.min) set({ [f.key]: value });
            }}
          />
        </label>
      ))}
      {settings.doSample && (
        <label>
          Seed · seed
          <input
            type="number"
            min={0}
            step={1}
            value={settings.seed ?? ''}
            placeholder="random"
            onChange={(e) =>
              set({
                seed: e.target.value === '' ? undefined : Math.max(0, Math.floor(Number(e.target.value))),
              })
            }
          />
        </label>
      )}
    </fieldset>
  );
}
