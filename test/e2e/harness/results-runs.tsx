// Runs in Chromium (served by the Vite dev server): mounts the Runs panel over an in-memory runs source with
// two runs, in place of the page, so the e2e test can compare, rename and delete through the real UI.
import { createRoot } from 'react-dom/client';
import { RunsPanel } from '../../../src/ui/run-history/RunsPanel';
import type { RunLogEntry, RunsSource, RunSummary } from '../../../src/ui/run-history/types';

export function mountRuns(): void {
  const runs: RunSummary[] = [
    {
      id: 'a',
      name: 'lr 1e-4',
      createdAt: Date.UTC(2026, 0, 1),
      status: 'finished',
      model: 'prajjwal1/bert-tiny',
      dataset: 'sst2.csv',
      settings: { learning_rate: 1e-4, num_train_epochs: 2, seed: 42 },
      final: { eval_accuracy: 0.81, eval_f1: 0.8, eval_loss: 0.42 },
    },
    {
      id: 'b',
      name: 'lr 5e-5',
      createdAt: Date.UTC(2026, 0, 2),
      status: 'stopped',
      model: 'prajjwal1/bert-tiny',
      dataset: 'sst2.csv',
      settings: { learning_rate: 5e-5, num_train_epochs: 2, seed: 42 },
    },
  ];
  const logs: Record<string, RunLogEntry[]> = {
    a: [10, 20, 30].map((step) => ({ step, epoch: step / 30, loss: 1 / step, eval_f1: step / 40 })),
    b: [15, 30].map((step) => ({ step, epoch: step / 30, loss: 2 / step })),
  };
  const source: RunsSource = {
    list: async () => runs.map((r) => ({ ...r })),
    history: async (id) => logs[id] ?? [],
    rename: async (id, name) => {
      const run = runs.find((r) => r.id === id);
      if (run) run.name = name;
    },
    remove: async (id) => {
      runs.splice(
        runs.findIndex((r) => r.id === id),
        1,
      );
    },
  };
  document.body.innerHTML = '<div id="runs-harness"></div>';
  createRoot(document.getElementById('runs-harness') as HTMLElement).render(<RunsPanel source={source} />);
}
