import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as v from 'valibot';
import { readJsonState, type OnStateDamage } from '../../state';

const Port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535));
const ListenPortsSchema = v.object({ tcp: Port, ws: Port });
export type ListenPortPair = v.InferOutput<typeof ListenPortsSchema>;

/**
 * The TCP and WebSocket ports a node last listened on, kept in `network/listen-ports.json` so the
 * address a user copied for a friend still works after Hearth restarts (a fresh node would take
 * random free ports). Used only when the user set no listen addresses of their own.
 */
export class ListenPorts {
  private constructor(
    readonly file: string,
    private _ports: ListenPortPair | null,
  ) {}

  static async load(file: string, onDamage?: OnStateDamage): Promise<ListenPorts> {
    const state = await readJsonState(file, ListenPortsSchema, {
      onDamage,
      consequence: 'the node listens on new ports, so its address changes once.',
    });
    return new ListenPorts(file, state.kind === 'value' ? state.value : null);
  }

  get ports(): ListenPortPair | null {
    return this._ports;
  }

  /** Listen addresses on the remembered ports, or null before the first start. */
  listen(): string[] | null {
    return this._ports ? listenOn(this._ports) : null;
  }

  /** Remembers the ports a started node is bound to; a failed write only costs a new address next time. */
  async remember(addresses: readonly string[]): Promise<void> {
    const ports = boundPorts(addresses);
    if (!ports || (ports.tcp === this._ports?.tcp && ports.ws === this._ports.ws)) return;
    this._ports = ports;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const handle = await open(`${this.file}.new`, 'w', 0o600);
      try {
        await handle.writeFile(JSON.stringify(ports));
      } finally {
        await handle.close();
      }
      await rename(`${this.file}.new`, this.file);
    } catch {
      // The node works on; it just gets new ports after the next restart.
    }
  }
}

export function listenOn({ tcp, ws }: ListenPortPair): string[] {
  return [`/ip4/0.0.0.0/tcp/${tcp}`, `/ip4/0.0.0.0/tcp/${ws}/ws`, '/p2p-circuit'];
}

/** The TCP and WebSocket ports in a node's own addresses, or null when either is missing. */
export function boundPorts(addresses: readonly string[]): ListenPortPair | null {
  const port = (ws: boolean) =>
    addresses
      .filter((a) => !a.includes('/p2p-circuit'))
      .map((a) => /^\/ip4\/[^/]+\/tcp\/(\d+)(\/ws)?(\/p2p\/[^/]+)?$/.exec(a))
      .find((m) => m && Boolean(m[2]) === ws)?.[1];
  const tcp = port(false);
  const ws = port(true);
  return tcp && ws ? { tcp: Number(tcp), ws: Number(ws) } : null;
}
