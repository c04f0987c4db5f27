import type { ClassRow } from '../../worker/results-types';

const fixed = (x: number) => x.toFixed(3);

/** Per-class precision, recall, F1 and support, in the label order. */
export function ClassTable({ rows }: { rows: readonly ClassRow[] }) {
  return (
    <div className="results-scroll class-scroll">
      <table className="class-table" aria-label="Per-class scores">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Precision</th>
            <th scope="col">Recall</th>
            <th scope="col">F1</th>
            <th scope="col">Support</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
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
