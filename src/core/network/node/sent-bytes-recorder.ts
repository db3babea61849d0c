import type { ConnectionEncrypter, MessageStream, SecuredConnection } from '@libp2p/interface';

/**
 * Wraps a connection encrypter so every byte this node sends is handed to `record` before it is
 * encrypted: the whole plaintext of every connection (muxer frames, identify, DHT, gossip, jobs).
 * It exists so that a user, or the privacy test, can check what the node shares; it is off
 * unless HEARTH_NETWORK_RECORD_SENT names a file.
 */
export function recordSentBytes<C extends ConnectionEncrypter>(
  encrypter: C,
  record: (bytes: Uint8Array) => void,
): C {
  const wrap = (secured: SecuredConnection): SecuredConnection => {
    const connection: MessageStream = secured.connection;
    const send = connection.send.bind(connection);
    connection.send = (data) => {
      record(data.subarray());
      return send(data);
    };
    return secured;
  };
  return new Proxy(encrypter, {
    get(target, property, receiver) {
      if (property === 'secureOutbound' || property === 'secureInbound') {
        const secure = Reflect.get(target, property, receiver) as ConnectionEncrypter['secureOutbound'];
        return async (...args: Parameters<ConnectionEncrypter['secureOutbound']>) => wrap(await secure.apply(target, args));
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
