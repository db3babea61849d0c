import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { hexToBytes } from 'viem';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events';
import { NetworkService } from '../../../src/core/network';
import { Ledger, ledgerFile } from '../../../src/core/network/ledger';
import { createRewardsService } from '../../../src/core/network/rewards/rewards-service';
import { WALLET_SECRET } from '../../../src/core/network/receipts';
import { createSecretStore } from '../../../src/core/secrets';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';
import { ledgerParties } from '../rewards/ledger-fixtures';

/**
 * A real node (libp2p on 127.0.0.1, real files) whose ledger was damaged while it was off: it
 * must start with the ledger open in its damaged state, refuse to serve or to pay for jobs with a
 * reason the user can act on, and serve again once the user sets the damaged file aside.
 */
const CLI = { door: 'cli' } as const;

describe('a node with a damaged ledger', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let service: NetworkService;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await service?.dispose();
    await dir.cleanup();
  });

  it('does not serve or pay until the damaged file is set aside, and keeps the file', { timeout: 60_000 }, async () => {
    const p = await ledgerParties();
    const secrets = createSecretStore({ dir: join(dir.path, 'secrets') });
    await secrets.set(WALLET_SECRET, Buffer.from(hexToBytes(p.nodeKey)));
    const file = ledgerFile(dir.path);
    await mkdir(dirname(file), { recursive: true });
    const { ledger } = await Ledger.open(file, { signer: p.node });
    await ledger.appendReceipt('earned', await p.earned(1), p.binding);
    await ledger.appendReceipt('earned', await p.earned(2), p.binding);
    await ledger.dispose();
    const damaged = (await readFile(file, 'utf8')).replace('"price":"1000"', '"price":"1000000"');
    await writeFile(file, damaged);

    const settings = { ...DEFAULT_SETTINGS, network: { ...DEFAULT_SETTINGS.network, contribute: true, mdns: false } };
    service = new NetworkService({
      dataDir: dir.path,
      settings: { get: () => settings },
      secrets,
      events: new EventBus(),
      log: pino({ level: 'silent' }),
    });
    const rewards = createRewardsService({
      dataDir: dir.path,
      secrets,
      liveLedger: () => service.rewards?.ledger ?? null,
    });
    await service.start({ listen: ['/ip4/127.0.0.1/tcp/0'] });
    expect(service.status().running).toBe(true);
    expect(service.verdict()).toEqual({ state: 'paused', reason: expect.stringMatching(/earnings ledger is damaged/) });
    await expect(
      service.api().generate({ jobId: 'j1', model: 'ab'.repeat(32), prompt: 'hi', maxTokens: 4 } as never, CLI),
    ).rejects.toMatchObject({ name: 'LedgerCorruptError', message: expect.stringMatching(/line 2: .*changed/) });
    expect(await readFile(file, 'utf8')).toBe(damaged);

    const shown = await rewards.earnings({}, CLI);
    expect(shown.integrity).toMatchObject({
      blocked: true,
      problems: [expect.objectContaining({ kind: 'changed', line: 2 })],
    });
    const { setAside } = await rewards.startNewLedger({}, CLI);
    expect(await readFile(setAside, 'utf8')).toBe(damaged);
    expect(service.verdict().state).toBe('ready');
    expect((await rewards.earnings({}, CLI)).integrity.blocked).toBe(false);
  });
});
