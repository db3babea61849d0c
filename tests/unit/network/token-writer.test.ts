import { describe, expect, it } from 'vitest';
import type { MessageStream } from '../../../src/core/network/protocol/message-stream';
import type { RequesterMessageSchema } from '../../../src/core/network/protocol/messages';
import { TokenWriter } from '../../../src/core/network/provider/token-writer';

/** A stream whose writes finish only when the test says so (a slow reader). */
function slowStream() {
  const written: string[] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const stream = {
    write: (message: { t: string; text?: string }) =>
      new Promise<void>((resolve, reject) => {
        written.push(message.text ?? '');
        pending.push({ resolve, reject });
      }),
  } as unknown as MessageStream<typeof RequesterMessageSchema>;
  const settle = async (error?: Error) => {
    const next = pending.shift()!;
    if (error) next.reject(error);
    else next.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { stream, written, settle };
}

describe('TokenWriter', () => {
  it('joins tokens produced during a write into the next message, and flush waits for all', async () => {
    const { stream, written, settle } = slowStream();
    const writer = new TokenWriter(stream, 1_000, () => undefined);
    expect(writer.streamed).toBe(false);
    writer.push('Once');
    writer.push(' upon');
    writer.push(' a');
    expect(written).toEqual(['Once']);
    let flushed = false;
    const flushing = writer.flush().then(() => (flushed = true));
    await settle();
    expect(written).toEqual(['Once', ' upon a']);
    expect(flushed).toBe(false);
    await settle();
    await flushing;
    expect(writer.streamed).toBe(true);
  });

  it('reports a failed write and carries on with what is left', async () => {
    const { stream, written, settle } = slowStream();
    const errors: unknown[] = [];
    const writer = new TokenWriter(stream, 1_000, (error) => errors.push(error));
    writer.push('a');
    writer.push('b');
    await settle(new Error('The requester is gone.'));
    expect(errors).toHaveLength(1);
    expect(written).toEqual(['a', 'b']);
    await settle();
    await writer.flush();
  });
});
