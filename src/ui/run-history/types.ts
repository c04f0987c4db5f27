// What the Runs panel needs from the runs store (src/core/storage/runs.ts, written beside this panel). The panel
// codes against this small interface; an adapter over the store's own functions connects the two.
// (This folder is not ui/runs because .gitignore ignores every runs/ folder.)

/** One stored run as the list shows it. */
export interface RunSummary {
  id: string;
  name: string;
  /** Milliseconds since 1970, for sorting and display. */
  createdAt: number;
  /** idle / running / paused / finished / failed / stopped, as the store records it. */
  status: string;
  model: string;
  dataset: string;
  /** Hyper-parameters under the Trainer's names (learning_rate, num_train_epochs, …). */
  settings: Record<string, string | number | boolean | null>;
  /** The last evaluation's figures (eval_loss, eval_accuracy, eval_f1, …), when there was one. */
  final?: Record<string, number>;
}

/** One log entry (trainer_state.json's log_history form): `loss`, `learning_rate`, `eval_*`, … at a step. */
export interface RunLogEntry {
  step: number;
  epoch?: number;
  [metric: string]: number | undefined;
}

export interface RunsSource {
  list(): Promise<RunSummary[]>;
  /** The run's log history, in step order. */
  history(id: string): Promise<RunLogEntry[]>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
}
