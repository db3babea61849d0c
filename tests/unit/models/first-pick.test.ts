import { describe, expect, it } from 'vitest';
import { bestFitting, estimateSpeed, fitFromCatalog, loadCatalog, pickReason } from '../../../src/core/models';
import type { CatalogItem } from '../../../src/shared/contract/models';

const GB = 1024 ** 3;

/** The catalog as a machine of this shape sees it. */
function catalogFor(machine: {
  cpuCores: number;
  gpu: string | false;
  ramFree: number;
  vramFree: number;
}): CatalogItem[] {
  return loadCatalog().map((entry) => {
    const fit = fitFromCatalog(entry, {
      ramFree: machine.ramFree,
      vramFree: machine.vramFree,
      gpu: machine.gpu !== false,
    });
    return { ...entry, installed: false, fit, speed: estimateSpeed(entry.bytes, fit, machine) };
  });
}

describe('the first-run pick, by estimated speed', () => {
  it('never offers a 7B model to a 2-core machine without a GPU, however much RAM it has', () => {
    const machine = { cpuCores: 2, gpu: false as const, ramFree: 16 * GB, vramFree: 0 };
    const pick = bestFitting(catalogFor(machine), 'chat', machine.ramFree)!;
    expect(pick.paramsB).toBeLessThan(3);
    expect(pick.speed.tokensPerSecond).toBeGreaterThanOrEqual(10);
    expect(pickReason(pick, machine)).toMatch(/about \d+ tokens\/s here \(2 CPU cores, no GPU\)/);
  });

  it('gives a GPU with room for it the largest model, and says it runs on the GPU', () => {
    const machine = { cpuCores: 8, gpu: 'cuda', ramFree: 32 * GB, vramFree: 12 * GB };
    const pick = bestFitting(catalogFor(machine), 'chat', machine.ramFree)!;
    expect(pick.paramsB).toBeGreaterThan(7);
    expect(pick.speed.on).toBe('gpu');
  });

  it('estimates speed from bandwidth over size: half the size, twice the speed', () => {
    const fit = fitFromCatalog(loadCatalog()[0]!, { ramFree: 16 * GB, vramFree: 0, gpu: false });
    const machine = { cpuCores: 2, gpu: false as const };
    expect(estimateSpeed(1e9, fit, machine).tokensPerSecond).toBe(12);
    expect(estimateSpeed(0.5e9, fit, machine).tokensPerSecond).toBe(24);
  });

  it('picks the fastest model that fits when none is comfortable', () => {
    const machine = { cpuCores: 1, gpu: false as const, ramFree: 1.2 * GB, vramFree: 0 };
    const pick = bestFitting(catalogFor(machine), 'chat', machine.ramFree)!;
    expect(pick.id).toBe('qwen2.5-0.5b-instruct-q4km');
  });
});
