// The page side of generation: posts one generate request to the training worker, hands each piece of text to
// a callback as it streams in, and resolves with the completion's summary. Listens on the worker directly, as
// the results client does.
import { currentTrainingWorker } from './client';
import type {
  GenerationEvent,
  GenerationInput,
  PlaygroundGenerationSettings,
  WorkerEvent,
  WorkerRequest,
} from './protocol';

export type GenerationSummary = Omit<Extract<GenerationEvent, { type: 'generate-done' }>, 'type' | 'id'>;

export interface RunningGeneration {
  done: Promise<GenerationSummary>;
  /** Ends the completion after the current token; `done` then resolves with finishReason "aborted". */
  stop(): void;
}

let nextId = 1;

export function startGeneration(
  input: GenerationInput,
  settings: PlaygroundGenerationSettings,
  onText: (text: string) => void,
  model: 'base' | 'fine-tuned' = 'base',
): RunningGeneration {
  const worker = currentTrainingWorker();
  const id = nextId++;
  const send = (request: WorkerRequest) => worker?.postMessage(request);
  const done = new Promise<GenerationSummary>((resolve, reject) => {
    if (!worker) return reject(new Error('The training worker has not started yet'));
    const listener = (message: MessageEvent<WorkerEvent>) => {
      const event = message.data;
      if (!isGenerationEvent(event) || event.id !== id) return;
      if (event.type === 'generate-text') {
        if (event.text) onText(event.text);
        return;
      }
      worker.removeEventListener('message', listener);
      if (event.type === 'generate-error') reject(new Error(event.message));
      else {
        const { type: _type, id: _id, ...summary } = event;
        resolve(summary);
      }
    };
    worker.addEventListener('message', listener);
    send({ type: 'generate', id, input, settings, model });
  });
  return { done, stop: () => send({ type: 'generate-stop', id }) };
}

function isGenerationEvent(event: WorkerEvent): event is GenerationEvent {
  return event.type === 'generate-text' || event.type === 'generate-done' || event.type === 'generate-error';
}
