import type { MessageStream } from '../protocol/message-stream';
import type { RequesterMessageSchema } from '../protocol/messages';

/**
 * Streams a job's tokens to its requester. Tokens produced while a write is in flight are joined
 * into the next message: the worker never waits for the network, and a slow reader gets fewer,
 * larger messages.
 */
export class TokenWriter {
  private _pending = '';
  private _writing: Promise<void> | null = null;
  private _streamed = false;

  constructor(
    private readonly _messages: MessageStream<typeof RequesterMessageSchema>,
    private readonly _writeMs: number,
    /** A write failed (the requester is gone or too slow): the job should stop. */
    private readonly _onError: (error: unknown) => void,
  ) {}

  /** True once any text went out: a requester that cancels after this took part of an answer. */
  get streamed(): boolean {
    return this._streamed;
  }

  push(text: string): void {
    this._pending += text;
    void this.flush();
  }

  /** Resolves once every token pushed so far is written (or its write failed). */
  flush(): Promise<void> {
    if (this._writing) return this._writing;
    if (!this._pending) return Promise.resolve();
    const text = this._pending;
    this._pending = '';
    this._streamed = true;
    this._writing = this._messages
      .write({ t: 'token', text }, this._writeMs)
      .catch((error: unknown) => this._onError(error))
      .finally(() => {
        this._writing = null;
      })
      .then(() => this.flush());
    return this._writing;
  }
}
