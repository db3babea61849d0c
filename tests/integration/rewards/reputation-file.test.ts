import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeRewards, reputationFile } from '../../../src/core/network/rewards/node-rewards';
import { createSecretStore } from '../../../src/core/secrets';
import type { StateDamage } from '../../../src/core/state';
import { tempDir } from '../../helpers/temp-dir';

describe('reputation.json', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir('hearth-reputation-')));
  afterEach(() => dir.cleanup());

  const open = async (damages: StateDamage[]) =>
    NodeRewards.open({
      dataDir: dir.path,
      modelsDir: join(dir.path, 'models'),
      secrets: createSecretStore({ dir: join(dir.path, 'secrets') }),
      privateKey: await generateKeyPair('Ed25519'),
      auditShare: 0,
      offered: () => [],
      onEntry: () => undefined,
      log: pino({ level: 'silent' }),
      onDamage: (d) => damages.push(d),
    });

  it('is read back when whole', async () => {
    await mkdir(join(dir.path, 'network'), { recursive: true });
    await writeFile(reputationFile(dir.path), JSON.stringify({ peerA: { jobs: 12, completed: 12 } }));
    const damages: StateDamage[] = [];
    const rewards = await open(damages);
    try {
      expect(rewards.reputation.toJSON()).toMatchObject({ peerA: { jobs: 12, completed: 12 } });
      expect(damages).toEqual([]);
    } finally {
      await rewards.dispose();
    }
  });

  it('is set aside and reported when damaged, not silently forgotten', async () => {
    await mkdir(join(dir.path, 'network'), { recursive: true });
    await writeFile(reputationFile(dir.path), '{"peerA":{"jobs":12,"compl');
    const damages: StateDamage[] = [];
    const rewards = await open(damages);
    try {
      expect(rewards.reputation.toJSON()).toEqual({});
    } finally {
      await rewards.dispose();
    }
    expect(damages).toHaveLength(1);
    expect(damages[0]!.problem).toMatch(/not valid JSON/);
    const [aside] = (await readdir(join(dir.path, 'network'))).filter((n) => n.startsWith('reputation.json.damaged-'));
    expect(await readFile(join(dir.path, 'network', aside!), 'utf8')).toBe('{"peerA":{"jobs":12,"compl');
  });
});
