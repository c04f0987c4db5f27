// The split's two settings (validation share and seed), or the note that validation rows come from their own
// file. One component for the classification and the generative Data step, which split the same way.
import type { SplitOptions } from '../../core/data/prepare';

export function SplitFields({
  idPrefix,
  validationFromFile,
  split,
  onSplit,
}: {
  /** Keeps the inputs' ids unique where both reports could be on a page. */
  idPrefix: string;
  validationFromFile: boolean;
  split: SplitOptions;
  onSplit: (split: SplitOptions) => void;
}) {
  if (validationFromFile) return <p>Validation rows come from the validation file.</p>;
  return (
    <div className="field-row">
      <label htmlFor={`${idPrefix}-share`}>Validation share (%)</label>{' '}
      <input
        id={`${idPrefix}-share`}
        type="number"
        min={1}
        max={50}
        value={Math.round(split.validationShare * 100)}
        onChange={(e) => {
          const pct = Number(e.target.value);
          if (pct >= 1 && pct <= 50) onSplit({ ...split, validationShare: pct / 100 });
        }}
      />{' '}
      <label htmlFor={`${idPrefix}-seed`}>Seed</label>{' '}
      <input
        id={`${idPrefix}-seed`}
        type="number"
        value={split.seed}
        onChange={(e) => onSplit({ ...split, seed: Math.trunc(Number(e.target.value)) || 0 })}
      />
    </div>
  );
}
