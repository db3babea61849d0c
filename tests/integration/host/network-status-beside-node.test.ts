import { rm } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { runHearth } from '../../helpers/hearth-process';
import { startNodeProcess } from '../network/network-node-process';

/**
 * `hearth network status` beside a running `hearth network node` on the same data folder asks
 * that node: the same peer id and addresses, and no second node (which would fail on its port,
 * or join the network with the same peer id). A second node on the folder refuses.
 */
it('network status asks the node that runs on the data folder, and a second node refuses', async () => {
  const node = await startNodeProcess({
    args: ['--listen', '/ip4/127.0.0.1/tcp/0'],
    settings: { network: { mdns: false } },
  });
  try {
    const running = node.status();
    const asked = await runHearth(['network', 'status', '--json'], node.home);
    expect(asked.code, asked.stderr).toBe(0);
    expect(JSON.parse(asked.stdout)).toMatchObject({
      running: true,
      peerId: running.peerId,
      addresses: running.addresses,
    });
    const words = await runHearth(['network', 'status'], node.home);
    expect(words.stdout).toContain(`Node:          ${running.peerId}`);

    const second = await runHearth(['network', 'node', '--listen', '/ip4/127.0.0.1/tcp/0'], node.home);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /`hearth network node` \(process \d+, at http:\/\/127\.0\.0\.1:\d+\) is using the data folder /,
    );
    // The node that runs is untouched by either.
    expect(node.process.exitCode).toBeNull();
  } finally {
    await node.kill();
    await rm(node.home, { recursive: true, force: true });
  }
});
