// The results components render plain data as text: user text never becomes markup, 80 classes get 80
// labelled rows and columns, mistakes come a page at a time, probabilities are sorted.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConfusionMatrix } from '../../src/ui/evaluate/ConfusionMatrix';
import { EvaluationView } from '../../src/ui/evaluate/EvaluationView';
import { PAGE_SIZE } from '../../src/ui/evaluate/MisclassifiedList';
import { ProbabilityBars } from '../../src/ui/playground/ProbabilityBars';
import { RunsTable } from '../../src/ui/run-history/RunsPanel';
import { evaluationDetails } from '../../src/worker/results-shape';

const HOSTILE = '<img src=x onerror="alert(1)"><b>bold</b>';

describe('results components', () => {
  it('show user texts and labels as text, never as HTML', () => {
    const labels = [HOSTILE, 'plain'];
    // 45 mistakes (class 0 predicted as 1) and 5 correct class-1 rows.
    const examples = Array.from({ length: 50 }, (_, i) => ({
      text: `${HOSTILE} #${i}`,
      label: i < 45 ? 0 : 1,
    }));
    const probs = examples.map((_, i) => [0.1, 0.9 - i / 1000]);
    const html = renderToStaticMarkup(
      createElement(EvaluationView, { details: evaluationDetails(labels, examples, probs, 'v') }),
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    // 45 mistakes, the first page only, most confident first.
    expect(html.match(/<td class="example-text">/g)).toHaveLength(PAGE_SIZE);
    expect(html).toContain('#0');
    expect(html).not.toContain(`#${PAGE_SIZE}<`);
    expect(html).toContain('Page 1 of 3 (45 mistakes)');
    expect(html).toContain('The weakest class is &lt;img src=x');
  });

  it('label every row and column of an 80-class confusion matrix', () => {
    const labels = Array.from({ length: 80 }, (_, i) => `class-${i}`);
    const confusion = labels.map((_, t) => labels.map((__, p) => (t === p ? 5 : (t + p) % 3)));
    const html = renderToStaticMarkup(createElement(ConfusionMatrix, { labels, confusion }));
    expect(html.match(/<th scope="row"/g)).toHaveLength(80);
    expect(html.match(/<span class="col-label">/g)).toHaveLength(80);
    expect(html.match(/<td /g)).toHaveLength(80 * 80);
    expect(html).toContain('true class-79, predicted class-0');
    // Cells show the share of the true class's row, the count on hover: row 0 is 5, 1, 2, 0, 1, … (89 rows).
    const total0 = confusion[0]!.reduce((a, b) => a + b, 0);
    expect(html).toContain(
      `title="true class-0, predicted class-0: 5 of ${total0}">${Math.round((5 / total0) * 100)}%<`,
    );
  });

  it('sorts the probability bars, most likely first', () => {
    const html = renderToStaticMarkup(
      createElement(ProbabilityBars, { labels: ['a', 'b', 'c'], probabilities: [0.2, 0.7, 0.1] }),
    );
    const order = [...html.matchAll(/data-label="(\w)"/g)].map((m) => m[1]);
    expect(order).toEqual(['b', 'a', 'c']);
    expect(html).toContain('70.0%');
  });

  it('list stored runs with their final figures and actions', () => {
    const runs = [
      {
        id: 'r1',
        name: 'first <run>',
        createdAt: 0,
        status: 'finished',
        model: 'prajjwal1/bert-tiny',
        dataset: 'sst2.csv',
        settings: { learning_rate: 1e-4, seed: 42 },
        final: { eval_accuracy: 0.8123, eval_f1: 0.8, eval_loss: 0.41 },
      },
    ];
    const noop = () => {};
    const html = renderToStaticMarkup(
      createElement(RunsTable, { runs, picked: [], onToggle: noop, onRename: noop, onDelete: noop }),
    );
    expect(html).toContain('first &lt;run&gt;');
    expect(html).toContain('0.8123');
    expect(html).toContain('learning_rate=0.0001, seed=42');
    expect(html).toContain('aria-label="Delete first &lt;run&gt;"');
  });
});
