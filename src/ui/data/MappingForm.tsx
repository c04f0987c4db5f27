// Which column is the text, the optional second text, and the label; with the first rows as a preview.
import type { ColumnMapping } from '../../core/data/guess';
import type { DatasetMeta } from '../../core/storage/dataset-types';

const NONE = '';

export function MappingForm({
  dataset,
  mapping,
  onChange,
}: {
  dataset: DatasetMeta;
  mapping: ColumnMapping;
  onChange: (mapping: ColumnMapping) => void;
}) {
  const columns = dataset.parts[0]?.columns ?? [];
  const select = (
    id: string,
    label: string,
    value: string | undefined,
    optional: boolean,
    set: (v?: string) => void,
  ) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>{' '}
      <select
        id={id}
        value={value ?? NONE}
        onChange={(e) => set(e.target.value === NONE ? undefined : e.target.value)}
      >
        {(optional || value === undefined) && <option value={NONE}>(none)</option>}
        {columns.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <fieldset>
      <legend>Columns</legend>
      {select('map-text', 'Text column', mapping.text, false, (v) =>
        onChange({ ...mapping, text: v ?? columns[0] ?? '' }),
      )}
      {select('map-text2', 'Second text column (pairs)', mapping.text2, true, (v) =>
        onChange({ ...mapping, text2: v }),
      )}
      {select('map-label', 'Label column', mapping.label, true, (v) => onChange({ ...mapping, label: v }))}
      <table className="preview" aria-label="Preview of the first rows">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dataset.preview.map((row, i) => (
            <tr key={i}>
              {columns.map((c, j) => (
                <td key={c}>{(row[j] ?? '').length > 120 ? `${row[j]!.slice(0, 117)}…` : row[j]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}
