// The tasks the trainer runs (types.ts says what a task is).
export { causalLmTask, type CausalLmExample, type CausalLmEvaluation } from './causal-lm';
export { sequenceClassificationTask } from './sequence-classification';
export type { TaskEvaluation, TaskExample, TrainingTask } from './types';
