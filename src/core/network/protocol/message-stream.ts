import type { Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import type * as v from 'valibot';
import { MAX_MESSAGE_BYTES } from './ids';
import type { AuditorMessage, AuditRequesterMessage } from './audit-messages';
import { decodeMessage, encodeMessage, ProtocolError, type ProviderMessage, type RequesterMessage } from './messages';

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

  /** Ends our side politely; falls back to abort if the peer does not read. */
  async close(): Promise<void> {
    await this.stream.close({ signal: AbortSignal.timeout(2_000) }).catch(() => this.stream.abort(new Error('close timed out')));
  }

  abort(reason: string): void {
    this.stream.abort(new ProtocolError(reason));
  }
}
