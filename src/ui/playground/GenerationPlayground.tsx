import { useState, type FormEvent } from 'react';
import {
  startGeneration,
  type GenerationSummary,
  type RunningGeneration,
} from '../../worker/generation-client';
import type {
  ChatTurn,
  GenerationInput,
  ModelFacts,
  PlaygroundGenerationSettings,
} from '../../worker/protocol';
import { SamplingSettings } from './SamplingSettings';
import { BeforeAfter } from './BeforeAfter';
import '../evaluate/results.css';
import './generation.css';

// transformers' GenerationConfig defaults, for a model whose facts carry none.
const FALLBACK: PlaygroundGenerationSettings = {
  maxNewTokens: 20,
  doSample: false,
  temperature: 1,
  topK: 50,
  topP: 1,
  repetitionPenalty: 1,
};

/**
 * A decoder's Playground: text that the model continues, or a chat when its tokenizer has a chat template;
 * the answer streams in token by token, with the sampling settings beside it.
 */
export function GenerationPlayground({
  facts,
  fineTunedRun,
}: {
  facts: ModelFacts;
  /** The last causal-LM run of this model, when there is one: the before / after view compares with it. */
  fineTunedRun?: string;
}) {
  const [settings, setSettings] = useState<PlaygroundGenerationSettings>(facts.generation ?? FALLBACK);
  const [view, setView] = useState<'chat' | 'text'>(facts.chatTemplate ? 'chat' : 'text');
  const [prompt, setPrompt] = useState('');
  const [completion, setCompletion] = useState('');
  const [messages, setMessages] = useState<ChatTurn[]>([]);
  const [draft, setDraft] = useState('');
  const [reply, setReply] = useState<string>();
  const [running, setRunning] = useState<RunningGeneration>();
  const [summary, setSummary] = useState<GenerationSummary>();
  const [error, setError] = useState<string>();

  const run = async (input: GenerationInput, onText: (text: string) => void) => {
    setError(undefined);
    setSummary(undefined);
    const generation = startGeneration(input, settings, onText);
    setRunning(generation);
    try {
      const result = await generation.done;
      setSummary(result);
      return true;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return false;
    } finally {
      setRunning(undefined);
    }
  };

  const complete = (event: FormEvent) => {
    event.preventDefault();
    setCompletion('');
    void run({ kind: 'text', text: prompt }, (text) => setCompletion((c) => c + text));
  };

  const send = (event: FormEvent) => {
    event.preventDefault();
    const history: ChatTurn[] = [...messages, { role: 'user', content: draft }];
    setMessages(history);
    setDraft('');
    setReply('');
    let answer = '';
    void run({ kind: 'chat', messages: history }, (text) => {
      answer += text;
      setReply(answer);
    }).then((ok) => {
      setReply(undefined);
      if (ok) setMessages([...history, { role: 'assistant', content: answer }]);
    });
  };

  const busy = running !== undefined;
  return (
    <section className="results-panel generation-playground" aria-labelledby="playground-title">
      <h3 id="playground-title">Playground</h3>
      <p className="hint">
        {facts.name} writes{' '}
        {view === 'chat' ? 'the next reply of the conversation' : 'a continuation of your text'}, token by
        token, on this machine.
      </p>
      {facts.chatTemplate && (
        <div role="radiogroup" aria-label="Playground view" className="view-switch">
          <label>
            <input type="radio" checked={view === 'chat'} onChange={() => setView('chat')} /> Chat
          </label>
          <label>
            <input type="radio" checked={view === 'text'} onChange={() => setView('text')} /> Plain text
          </label>
        </div>
      )}
      <div className="generation-layout">
        <div className="generation-main">
          {view === 'text' ? (
            <form className="playground-form" onSubmit={complete}>
              <label>
                Text to continue
                <textarea rows={4} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
              </label>
              <div className="results-actions">
                <button type="submit" disabled={busy || prompt === ''}>
                  Generate
                </button>
                <button type="button" disabled={!busy} onClick={() => running?.stop()}>
                  Stop
                </button>
              </div>
              <output
                className="completion"
                data-testid="generation-output"
                data-token-ids={summary ? JSON.stringify(summary.tokenIds) : undefined}
                aria-live="polite"
              >
                {prompt && (completion || busy) ? (
                  <>
                    <span className="completion-prompt">{prompt}</span>
                    {completion}
                  </>
                ) : null}
              </output>
            </form>
          ) : (
            <form className="playground-form" onSubmit={send}>
              <ol className="chat-log" data-testid="chat-log" aria-live="polite">
                {messages.map((m, i) => (
                  <li key={i} className={`chat-message ${m.role}`} data-role={m.role}>
                    <span className="chat-role">{m.role === 'user' ? 'You' : 'Model'}</span> {m.content}
                  </li>
                ))}
                {reply !== undefined && (
                  <li
                    className="chat-message assistant streaming"
                    data-role="assistant"
                    data-streaming="true"
                  >
                    <span className="chat-role">Model</span> {reply}
                  </li>
                )}
              </ol>
              <label>
                Your message
                <textarea rows={2} value={draft} onChange={(e) => setDraft(e.target.value)} />
              </label>
              <div className="results-actions">
                <button type="submit" disabled={busy || draft.trim() === ''}>
                  Send
                </button>
                <button type="button" disabled={!busy} onClick={() => running?.stop()}>
                  Stop
                </button>
                <button
                  type="button"
                  disabled={busy || messages.length === 0}
                  onClick={() => setMessages([])}
                >
                  Clear chat
                </button>
              </div>
            </form>
          )}
          {busy && <p role="status">Generating…</p>}
          {summary && !busy && (
            <p role="status" data-testid="generation-stats" data-finish-reason={summary.finishReason}>
              {describeSummary(summary)}
            </p>
          )}
          {error && <p role="alert">{error}</p>}
        </div>
        <SamplingSettings settings={settings} onChange={setSettings} disabled={busy} />
      </div>
      {fineTunedRun !== undefined && <BeforeAfter settings={settings} runName={fineTunedRun} />}
    </section>
  );
}

function describeSummary(s: GenerationSummary): string {
  const n = s.tokenIds.length;
  const rate = s.seconds > 0 ? `, ${(n / s.seconds).toFixed(1)} tokens/s` : '';
  const why =
    s.finishReason === 'eos'
      ? 'the model ended its answer'
      : s.finishReason === 'aborted'
        ? 'stopped'
        : 'reached the maximum length';
  return `${n} new token${n === 1 ? '' : 's'} in ${s.seconds.toFixed(1)} s${rate} (prompt ${s.promptTokens} tokens); ${why}.`;
}
