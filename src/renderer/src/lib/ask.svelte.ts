import { errorMessage } from './error-message';
import type { HearthApi } from '../../../shared/contract';
import type { AskAnswer, AskScope, AskSource, AskSummary, ConversationTurn } from '../../../shared/contract/ask';

/** One question and its answer as it streams in. */
export interface AskTurn {
  answerId: string | null;
  question: string;
  text: string;
  sources: AskSource[];
  phase: 'retrieving' | 'reranking' | 'reading' | 'writing' | 'done';
  /** `etaSeconds`: time left while a whole document is read in parts, once the engine can tell. */
  progress: { done: number; total: number | null; etaSeconds: number | null } | null;
  answer: AskAnswer | null;
  error: string | null;
}

/**
 * "Ask your files" in the UI: the scope, the turns asked so far, and the live answer, kept
 * current by the `ask.*` events of the answer being written. Call `dispose` to unsubscribe.
 */
export class AskState {
  /** Whether the Chat page shows Ask instead of the conversation: kept while the user visits other pages. */
  open = $state(false);
  #api: HearthApi;
  #turns = $state<AskTurn[]>([]);
  #scope = $state.raw<AskScope>({ collections: [], folders: [], files: [] });
  #history = $state.raw<AskSummary[]>([]);
  #historyError = $state<string | null>(null);
  #unsubscribe: (() => void)[];
  /** Events that arrived before `ask` returned their answer's id (not shown, so not reactive). */
  #early: Record<string, ((turn: AskTurn) => void)[]> = {};

  constructor(api: HearthApi) {
    this.#api = api;
    this.#unsubscribe = [
      api.ask.onSources(({ answerId, sources }) => this.#update(answerId, (t) => (t.sources = sources))),
      api.ask.onToken(({ answerId, text }) =>
        this.#update(answerId, (t) => {
          t.text += text;
          t.phase = 'writing';
        }),
      ),
      api.ask.onProgress(({ answerId, phase, progress }) =>
        this.#update(answerId, (t) => {
          t.phase = phase;
          t.progress = { done: progress.done, total: progress.total, etaSeconds: progress.etaSeconds };
        }),
      ),
      api.ask.onDone((answer) => this.#finish(answer)),
    ];
  }

  get turns(): readonly AskTurn[] {
    return this.#turns;
  }
  /** Finished asks kept by the engine, newest first. */
  get history(): AskSummary[] {
    return this.#history;
  }
  get historyError(): string | null {
    return this.#historyError;
  }
  get scope(): AskScope {
    return this.#scope;
  }
  get busy(): boolean {
    return this.#turns.some((t) => t.phase !== 'done');
  }

  setScope(scope: AskScope): void {
    this.#scope = scope;
  }

  #update(answerId: string, change: (turn: AskTurn) => void): void {
    const turn = this.#turns.find((t) => t.answerId === answerId);
    if (!turn) (this.#early[answerId] ??= []).push(change);
    else if (turn.phase !== 'done') change(turn);
  }

  #finish(answer: AskAnswer): void {
    const turn = this.#turns.find((t) => t.answerId === answer.answerId);
    if (!turn) return;
    turn.answer = answer;
    turn.text = answer.text;
    turn.sources = answer.sources;
    turn.phase = 'done';
  }

  async loadHistory(): Promise<void> {
    try {
      this.#history = await this.#api.ask.history();
      this.#historyError = null;
    } catch (error) {
      this.#historyError = errorMessage(error);
    }
  }

  /** Shows a finished ask again, with its sources; returns its index among the turns. */
  async reopen(answerId: string): Promise<number | null> {
    const shown = this.#turns.findIndex((t) => t.answerId === answerId);
    if (shown >= 0) return shown;
    try {
      const answer = await this.#api.ask.result({ answerId });
      this.#turns.push({
        answerId,
        question: answer.question,
        text: answer.text,
        sources: answer.sources,
        phase: 'done',
        progress: null,
        answer,
        error: null,
      });
      return this.#turns.length - 1;
    } catch (error) {
      this.#historyError = errorMessage(error);
      return null;
    }
  }

  async forget(answerId: string): Promise<void> {
    try {
      await this.#api.ask.forget({ answerId });
      this.#turns = this.#turns.filter((t) => t.answerId !== answerId);
      await this.loadHistory();
    } catch (error) {
      this.#historyError = errorMessage(error);
    }
  }

  /** Asks with the recent turns as conversation; `document` forces a whole-document answer. */
  async ask(question: string, document?: string): Promise<void> {
    const conversation: ConversationTurn[] = this.#turns.slice(-3).flatMap((t) => [
      { role: 'user' as const, text: t.question },
      { role: 'assistant' as const, text: t.answer?.text ?? t.text },
    ]);
    this.#turns.push({
      answerId: null,
      question,
      text: '',
      sources: [],
      phase: 'retrieving',
      progress: null,
      answer: null,
      error: null,
    });
    const turn = this.#turns[this.#turns.length - 1]!;
    try {
      const { answerId } = await this.#api.ask.ask({
        question,
        conversation,
        scope: this.#scope,
        ...(document ? { mode: 'document' as const, document } : {}),
      });
      turn.answerId = answerId;
      for (const change of this.#early[answerId] ?? []) change(turn);
      this.#early = {};
      // Events may have raced the reply; the final answer is authoritative.
      this.#finish(await this.#api.ask.result({ answerId }));
    } catch (error) {
      turn.error = errorMessage(error);
      turn.phase = 'done';
    }
    await this.loadHistory();
  }

  /** Opens source [n] in the system viewer (app); returns why not otherwise. */
  async openSource(answerId: string, n: number): Promise<string | null> {
    try {
      const result = await this.#api.ask.openSource({ answerId, n });
      return result.reason;
    } catch (error) {
      return errorMessage(error);
    }
  }

  async cancel(): Promise<void> {
    const running = this.#turns.find((t) => t.phase !== 'done' && t.answerId);
    if (running?.answerId) await this.#api.ask.cancel({ answerId: running.answerId });
  }

  dispose(): void {
    for (const stop of this.#unsubscribe) stop();
  }
}
