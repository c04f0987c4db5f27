import { useState } from 'react';
import type { Misclassified } from '../../worker/results-types';

export const PAGE_SIZE = 20;

/** The validation examples the model got wrong, most confident mistakes first, a page at a time. */
export function MisclassifiedList({ items }: { items: readonly Misclassified[] }) {
  const [page, setPage] = useState(0);
  if (items.length === 0) return <p>No validation example is misclassified.</p>;
  const pages = Math.ceil(items.length / PAGE_SIZE);
  const current = Math.min(page, pages - 1);
  const shown = items.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  return (
    <div>
      <div
        className="results-scroll"
        tabIndex={0}
        role="region"
        aria-label="Misclassified examples, scrollable"
      >
        <table className="misclassified" aria-label="Misclassified examples">
          <thead>
            <tr>
              <th scope="col">Text</th>
              <th scope="col">True</th>
              <th scope="col">Predicted</th>
              <th scope="col">Confidence</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((item) => (
              <tr key={item.index}>
                <td className="example-text">
                  {item.text}
                  {item.text2 !== undefined && (
                    <>
                      <br />
                      <span className="pair-text">{item.text2}</span>
                    </>
                  )}
                </td>
                <td data-label="True">{item.trueLabel}</td>
                <td data-label="Predicted">{item.predictedLabel}</td>
                <td data-label="Confidence">{(item.confidence * 100).toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Misclassified pages">
        <button type="button" onClick={() => setPage(current - 1)} disabled={current === 0}>
          Previous
        </button>
        <span>
          Page {current + 1} of {pages} ({items.length} mistakes)
        </span>
        <button type="button" onClick={() => setPage(current + 1)} disabled={current >= pages - 1}>
          Next
        </button>
      </nav>
    </div>
  );
}
