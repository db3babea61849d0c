import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium';
import { isLoopback, traceHearth, type TracedRun } from '../helpers/traced-hearth';
import { tempDir } from '../helpers/temp-dir';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Privacy is the product: with contribution and downloads off (the defaults), Hearth makes no
 * network connection beyond loopback, whatever the user does in the UI.
 */
describe('privacy: no traffic by default', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let logs: { path: string; cleanup: () => Promise<void> };
  let run: TracedRun;
  let child: ChildProcess;
  let stop: () => Promise<void>;
  let url: string;

  beforeAll(async () => {
    home = await tempDir();
    logs = await tempDir();
    // The connection log: network sent bytes and every chain request (src/core/chain) land here.
    process.env.HEARTH_NETWORK_RECORD_SENT = join(logs.path, 'sent.bin');
    ({ run, child, stop } = traceHearth(['serve'], home.path, logs.path));
    delete process.env.HEARTH_NETWORK_RECORD_SENT;
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const found = /Open:\s+(\S+)/.exec(out)?.[1];
        if (found) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`hearth serve exited with ${code}: ${out}`)));
    });
  });
  afterAll(async () => {
    await stop?.();
    await home?.cleanup();
    await logs?.cleanup();
  });

  it('connects to nothing but loopback while the UI is used', async () => {
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      await page.goto(url);
      for (const label of ['Chat', 'Library', 'Models', 'Contribute', 'Settings']) {
        await page.getByRole('link', { name: label }).click();
        await page.getByRole('heading', { level: 1, name: label }).waitFor();
      }
      await page.getByLabel('Theme').selectOption('light');
      await page.getByText('All changes saved').waitFor();
    } finally {
      await close();
    }
    const sockets = await run.connections();
    // The trace must have seen the host bind its loopback port, or it proves nothing.
    expect(sockets.some((s) => s.syscall === 'bind' && isLoopback(s))).toBe(true);
    expect(sockets.filter((s) => !isLoopback(s))).toEqual([]);
    // No chain is configured by default, so not one chain request was made (not even to loopback).
    const sent = await readFile(join(logs.path, 'sent.bin'), 'latin1').catch(() => '');
    expect(sent.includes('"jsonrpc"'), 'Hearth made a chain request').toBe(false);
  });
});
