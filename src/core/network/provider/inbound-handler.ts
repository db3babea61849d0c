import type { Connection, Stream, StreamHandler } from '@libp2p/interface';
import type * as v from 'valibot';
import type { Logger } from '../../log';
import { MessageStream } from '../protocol/message-stream';
import { ProtocolError } from '../protocol/messages';
import { addressKey } from '../node/address-key';
import { StreamQuota } from './stream-quota';

/**
 * How long a peer has, after opening a stream, to deliver its first complete message (at most
 * MAX_MESSAGE_BYTES, 128 KiB: about 1 s at 1 Mbit/s). A stream that stays silent or sends half
 * a frame is aborted then, so it cannot hold a protocol slot; 5 s leaves a slow uplink room
 * while an attacker must keep re-opening streams (and collect strikes) to hold any.
 */
export const REQUEST_DEADLINE_MS = 5_000;

export interface InboundHandlerInit<In extends v.GenericSchema> {
  schema: In;
  /** Streams one peer may hold at once (the protocol's `maxInboundStreams`, now across connections). */
  maxStreamsPerPeer: number;
  /** Deadline for the first message. Default REQUEST_DEADLINE_MS. */
  requestMs?: number;
  /** A peer sent no request in time, or a bad one: log it and count a strike. */
  onBadRequest: (peer: string, reason: string) => void;
  log: Logger;
}

/** What a handler does with a stream once its first message is in; throws ProtocolError on a wrong one. */
export type ServeInbound<In extends v.GenericSchema> = (
  first: v.InferOutput<In>,
  messages: MessageStream<In>,
  peer: string,
) => Promise<void>;

/**
 * The one way Hearth serves an inbound protocol stream: a per-peer and per-address stream
 * quota, a deadline for the first message, and an end that closes the stream (and aborts it if
 * the peer never closes its side; see MessageStream.close) whatever the handler did.
 */
export function inboundHandler<In extends v.GenericSchema>(
  protocol: string,
  init: InboundHandlerInit<In>,
  serve: ServeInbound<In>,
): StreamHandler {
  const quota = new StreamQuota(init.maxStreamsPerPeer);
  return async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString();
    const release = quota.take(peer, addressKey(connection.remoteAddr));
    if (!release) {
      // Not a strike: an honest requester with a burst of jobs can meet this too.
      init.log.warn({ event: 'network-stream-quota', protocol, peer });
      stream.abort(new ProtocolError('Too many open streams from this peer or its address.'));
      return;
    }
    // Counted until libp2p lets go of the stream, not merely until the handler returns.
    stream.addEventListener('close', release, { once: true });
    const messages = new MessageStream(stream, init.schema);
    try {
      const first = await messages.read(init.requestMs ?? REQUEST_DEADLINE_MS);
      await serve(first, messages, peer);
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'Bad request.';
      // A handler's own failures are its to log; anything reaching here broke the protocol or the deadline.
      init.onBadRequest(peer, reason);
      messages.abort(reason);
      return;
    }
    await messages.close();
  };
}
