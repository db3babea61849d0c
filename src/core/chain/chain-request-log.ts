import { appendFileSync } from 'node:fs';
import type { Logger } from '../log';
import type { ChainRequestRecord } from './chain-client';

/**
 * Every chain request, into the same connection log as the network's sent bytes: the JSON-RPC
 * body is appended to HEARTH_NETWORK_RECORD_SENT when that names a file (what a user or the
 * privacy test inspects), and the method and endpoint go to the app log.
 */
export function chainRequestRecorder(log?: Pick<Logger, 'info'>): (request: ChainRequestRecord) => void {
  const file = process.env.HEARTH_NETWORK_RECORD_SENT;
  return ({ url, body }) => {
    if (file) appendFileSync(file, `${body}\n`);
    log?.info({ event: 'chain-request', url, methods: rpcMethods(body) });
  };
}

function rpcMethods(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { method?: string } | { method?: string }[];
    return (Array.isArray(parsed) ? parsed : [parsed]).map((call) => String(call.method));
  } catch {
    return [];
  }
}
