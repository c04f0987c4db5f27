import { useState } from 'react';
import type { ClassRow } from '../../worker/results-types';

const fixed = (x: number) => x.toFixed(3);

type Column = 'label' | 'precision' | 'recall' | 'f1' | 'support';

const COLUMNS: { key: Column; title: string }[] = [
  { key: 'label', title: 'Class' },
  { key: 'precision', title: 'Precision' },
  { key: 'recall', title: 'Recall' },
  { key: 'f1', title: 'F1' },
  { key: 'support', title: 'Support' },
];

/**
 * Per-class precision, recall, F1 and support, in the label order until a column header is clicked: then by that
 * column (numbers lowest first, so the weak classes come up; again to reverse).
 */
export function ClassTable({ rows }: { rows: readonly ClassRow[] }) {
  const [sort, setSort] = useState<{ key: Column; descending: boolean }>();
  const sorted = sort ? [...rows].sort(compare(sort.key, sort.descending)) : rows;
  const ariaSort = (key: Column) =>
    sort?.key === key ? (sort.descending ? 'descending' : 'ascending') : undefined;
  return (
    <div
      className="results-scroll class-scroll"
      tabIndex={0}
      role="region"
      aria-label="Per-class scores, scrollable"
    >
      <table className="class-table" aria-label="Per-class scores">
        <thead>
          <tr>
            {COLUMNS.map(({ key, title }) => (
              <th scope="col" key={key} aria-sort={ariaSort(key)}>
                <button
                  type="button"
                  className="sort-button"
                  onClick={() => setSort({ key, descending: sort?.key === key ? !sort.descending : false })}
                >
                  {title}
                  <span aria-hidden="true">{sort?.key === key ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>{fixed(row.precision)}</td>
              <td>{fixed(row.recall)}</td>
              <td>{fixed(row.f1)}</td>
              <td>{row.support}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function compare(key: Column, descending: boolean) {
  const sign = descending ? -1 : 1;
  return (a: ClassRow, b: ClassRow) => {
    const order = key === 'label' ? a.label.localeCompare(b.label) : (a[key] as number) - (b[key] as number);
    return sign * order || a.label.localeCompare(b.label);
  };
}
