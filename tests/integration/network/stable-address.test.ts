import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events';
import { NetworkService } from '../../../src/core/network';
import { createSecretStore } from '../../../src/core/secrets';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

/** A real node on its default addresses, started again as a new session on the same data folder. */
describe("the node's address across sessions", () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let service: NetworkService | undefined;
  let blocker: Server | undefined;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await service?.dispose();
    await new Promise((done) => (blocker ? blocker.close(done) : done(undefined)));
    await dir.cleanup();
  });

  /** A new NetworkService on the folder, as after quitting and reopening Hearth, started on its defaults. */
  async function session() {
    await service?.dispose();
    const settings = structuredClone(DEFAULT_SETTINGS);
    settings.network.mdns = false;
    service = new NetworkService({
      dataDir: dir.path,
      settings: { get: () => settings },
      secrets: createSecretStore({ dir: join(dir.path, 'secrets') }),
      events: new EventBus(),
      log: pino({ level: 'silent' }),
    });
    await service.start({});
    return service.status();
  }
  const tcpPort = (addresses: string[]) =>
    Number(addresses.map((a) => /^\/ip4\/[^/]+\/tcp\/(\d+)\/p2p\//.exec(a)?.[1]).find(Boolean));

  it(
    'listens on the same port next session, and on a new one, said so, when it is taken',
    { timeout: 60_000 },
    async () => {
      const first = await session();
      const port = tcpPort(first.addresses);
      expect(port).toBeGreaterThan(0);
      expect(first.portsNote).toBeUndefined();

      const second = await session();
      expect(tcpPort(second.addresses)).toBe(port);
      expect(second.peerId).toBe(first.peerId);
      expect(second.portsNote).toBeUndefined();

      await service!.dispose();
      service = undefined;
      blocker = createServer();
      await new Promise<void>((listening) => blocker!.listen(port, '0.0.0.0', listening));
      const third = await session();
      expect(tcpPort(third.addresses)).not.toBe(port);
      expect(third.portsNote).toMatch(
        new RegExp(`could not listen on its usual ports \\(${port} and \\d+\\).*Give your friends the new address`),
      );

      // The new port is the one remembered now.
      const fourth = await session();
      expect(tcpPort(fourth.addresses)).toBe(tcpPort(third.addresses));
      expect(fourth.portsNote).toBeUndefined();
    },
  );
});
