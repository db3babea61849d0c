import { open, rename } from 'node:fs/promises';
import * as v from 'valibot';
import { readJsonState, type OnStateDamage } from '../../state';

const MAX_PEERS = 64;
const MAX_ADDRS = 8;

const KnownPeersSchema = v.array(
  v.object({
    peerId: v.pipe(v.string(), v.maxLength(200)),
    addrs: v.pipe(v.array(v.pipe(v.string(), v.maxLength(500))), v.maxLength(MAX_ADDRS)),
    seenAt: v.number(),
  }),
);
export type KnownPeer = v.InferOutput<typeof KnownPeersSchema>[number];

/**
 * Providers and bootstrap nodes this node has reached, with the addresses they listen on, kept
 * in `network/known-peers.json` so a restarted node finds them again without a bootstrap list
 * (libp2p's peer store lives in memory only). Bounded: the 64 most recently seen peers.
 */
export class KnownPeers {
  private _saveTimer: NodeJS.Timeout | undefined;
  private _saving: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly _peers: Map<string, KnownPeer>,
  ) {}

  static async load(file: string, onDamage?: OnStateDamage): Promise<KnownPeers> {
    const state = await readJsonState(file, KnownPeersSchema, {
      onDamage,
      consequence: 'the node starts without the providers it knew and finds them again through discovery.',
    });
    const peers = state.kind === 'value' ? state.value : [];
    return new KnownPeers(file, new Map(peers.map((peer) => [peer.peerId, peer])));
  }

  /** Most recently seen first. */
  list(): KnownPeer[] {
    return [...this._peers.values()].sort((a, b) => b.seenAt - a.seenAt);
  }

  remember(peerId: string, addrs: readonly string[]): void {
    const dialable = addrs.filter((a) => !a.includes('/p2p-circuit')).slice(0, MAX_ADDRS);
    if (dialable.length === 0) return;
    this._peers.delete(peerId);
    this._peers.set(peerId, { peerId, addrs: dialable, seenAt: Date.now() });
    for (const stale of this.list().slice(MAX_PEERS)) this._peers.delete(stale.peerId);
    this._saveSoon();
  }

  /** Writes pending changes now (on stop). */
  async flush(): Promise<void> {
    if (this._saveTimer) {
      clearTimeout(this._saveTimer);
      this._saveTimer = undefined;
      this._saving = this._saving.then(() => this._write()).catch(forget);
    }
    await this._saving;
  }

  private _saveSoon(): void {
    if (this._saveTimer) return;
    this._saveTimer = setTimeout(() => {
      this._saveTimer = undefined;
      this._saving = this._saving.then(() => this._write()).catch(forget);
    }, 2_000);
    this._saveTimer.unref();
  }

  private async _write(): Promise<void> {
    const handle = await open(`${this.file}.new`, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(this.list()));
    } finally {
      await handle.close();
    }
    await rename(`${this.file}.new`, this.file);
  }
}

/** A failed save costs only rediscovery after the next restart; the node works on without it. */
function forget(): void {}
