import type { CatalogEntry, CatalogItem } from '../../shared/contract/models';
import { COMFORTABLE_TOKENS_PER_SECOND } from './speed-estimate';

/**
 * The catalog model of `role` to start with. Chat: the largest that fits and is estimated to
 * write at least COMFORTABLE_TOKENS_PER_SECOND here (else the fastest that fits), so a 2-core
 * laptop is not handed a 7B model it would run at 2 tokens/s. Others: the largest that fits.
 * Models that would take more than half of `freeRam` are picked only when nothing smaller fits,
 * to leave room for everything else the user runs.
 */
export function bestFitting(items: CatalogItem[], role: CatalogEntry['role'], freeRam: number): CatalogItem | null {
  const fitting = items.filter((i) => i.role === role && i.fit.verdict !== 'too-large');
  const modest = fitting.filter((i) => i.fit.verdict === 'gpu' || i.fit.ramBytes <= freeRam / 2);
  let pool = modest.length > 0 ? modest : fitting;
  if (role === 'chat') {
    const quick = pool.filter((i) => i.speed.tokensPerSecond >= COMFORTABLE_TOKENS_PER_SECOND);
    if (quick.length === 0)
      return [...pool].sort((a, b) => b.speed.tokensPerSecond - a.speed.tokensPerSecond)[0] ?? null;
    pool = quick;
  }
  return (
    [...pool].sort(
      (a, b) => Number(b.fit.verdict === 'gpu') - Number(a.fit.verdict === 'gpu') || b.paramsB - a.paramsB,
    )[0] ?? null
  );
}

/** "Qwen 2.5 1.5B Instruct: about 12 tokens/s here (2 CPU cores, no GPU), ..." for the first-run card. */
export function pickReason(chat: CatalogItem | null, machine: { cpuCores: number; gpu: string | false }): string {
  if (!chat) return 'No chat model in the catalog fits this machine’s free memory.';
  const where = `${machine.cpuCores} CPU cores, ${machine.gpu === false ? 'no GPU' : `${machine.gpu} GPU`}`;
  const speed = `about ${Math.round(chat.speed.tokensPerSecond)} tokens/s here (${where})`;
  return chat.speed.tokensPerSecond >= COMFORTABLE_TOKENS_PER_SECOND
    ? `${chat.name}: ${speed}, the largest model that still writes faster than you read.`
    : `${chat.name}: ${speed}; no catalog model runs faster on this machine.`;
}
