import { WebSocket } from 'ws';

/** One JSON-RPC call to a running `hearth serve`, as another client of the same engine would make. */
export async function rpcCall(
  hearth: { url: string; token: string },
  method: string,
  params: unknown,
): Promise<unknown> {
  const url = new URL(hearth.url);
  const ws = new WebSocket(`ws://${url.host}/rpc`, ['hearth.v1', `token.${hearth.token}`]);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return await new Promise((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const reply = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
        if (reply.id !== 1) return;
        if (reply.error) reject(new Error(reply.error.message));
        else resolve(reply.result);
      });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    });
  } finally {
    ws.close();
  }
}
