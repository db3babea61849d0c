import type { Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import type * as v from 'valibot';
import { MAX_MESSAGE_BYTES } from './ids';
import type { AuditorMessage, AuditRequesterMessage } from './audit-messages';
import { decodeMessage, encodeMessage, ProtocolError, type ProviderMessage, type RequesterMessage } from './messages';

/**
 * After we close our side, how long the peer has to read what we sent and close its own. An
 * honest peer does both within milliseconds; one that never reads or never closes is cut off.
 */
export const PEER_CLOSE_GRACE_MS = 5_000;

/**
 * One job-protocol stream: length-prefixed CBOR messages checked against a schema. Reads take a
 * timeout (a peer that trickles bytes or goes quiet is cut off); writes wait for the muxer to
 * drain, which is the protocol's back-pressure.
 */
export class MessageStream<In extends v.GenericSchema> {
  private readonly _lp: LengthPrefixedStream<Stream>;

  constructor(
    readonly stream: Stream,
    private readonly _schema: In,
  ) {
    this._lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES, maxBufferSize: MAX_MESSAGE_BYTES * 2 });
  }

  /** The next message; throws ProtocolError on bad input and TimeoutError after `timeoutMs`. */
  async read(timeoutMs: number, signal?: AbortSignal): Promise<v.InferOutput<In>> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const bytes = await this._lp
      .read({ signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
      .catch((error: unknown) => {
        if (error instanceof Error && /length|too long|max/i.test(error.message + error.name)) {
          throw new ProtocolError('Message is larger than the protocol allows.');
        }
        throw error;
      });
    return decodeMessage(this._schema, bytes.subarray());
  }

  async write(
    message: RequesterMessage | ProviderMessage | AuditRequesterMessage | AuditorMessage,
    timeoutMs: number,
  ): Promise<void> {
    await this._lp.write(encodeMessage(message), { signal: AbortSignal.timeout(timeoutMs) });
  }

  /**
   * Ends our side politely; aborts if the peer does not take what we sent within 2 s, or does
   * not end its own side within PEER_CLOSE_GRACE_MS. A stream half-closed by us only is still
   * open to libp2p and holds one of the connection's protocol slots until the connection ends.
   */
  async close(): Promise<void> {
    await this.stream.close({ signal: AbortSignal.timeout(2_000) }).catch(() => this.stream.abort(new Error('close timed out')));
    this._abortUnlessPeerCloses();
  }

  private _closing = false;

  private _abortUnlessPeerCloses(): void {
    const stream = this.stream;
    if (this._closing || (stream.status !== 'open' && stream.status !== 'closing')) return;
    this._closing = true;
    const timer = setTimeout(
      () => stream.abort(new ProtocolError('The peer did not close its side of the stream.')),
      PEER_CLOSE_GRACE_MS,
    );
    // A grace timer must not keep a stopping process alive.
    timer.unref();
    stream.addEventListener('close', () => clearTimeout(timer), { once: true });
  }

  abort(reason: string): void {
    this.stream.abort(new ProtocolError(reason));
  }
}
