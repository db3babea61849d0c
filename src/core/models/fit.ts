import { GgufInsights, type GgufFileInfo, type Llama } from 'node-llama-cpp';
import type { CatalogEntry, Fit } from '../../shared/contract/models';

/** Context a chat model is judged with: enough for a real conversation. */
const CHAT_CONTEXT = 4096;

/**
 * The fit of a GGUF file on this machine, from node-llama-cpp's own resolver: the GPU layers
 * it would offload and the RAM/VRAM the model plus a context would take.
 */
export async function fitFromGguf(llama: Llama, info: GgufFileInfo, embedding: boolean): Promise<Fit> {
  const insights = await GgufInsights.from(info, llama);
  const contextSize = Math.min(insights.trainContextSize ?? CHAT_CONTEXT, embedding ? 512 : CHAT_CONTEXT);
  const config = await insights.configurationResolver.resolveAndScoreConfig({
    targetContextSize: contextSize,
    embeddingContext: embedding,
  });
  const r = config.resolvedValues;
  const totalLayers = insights.totalLayers;
  const verdict =
    config.compatibilityScore === 0 ? 'too-large' : r.gpuLayers > 0 && r.gpuLayers >= totalLayers ? 'gpu' : 'ram';
  return {
    verdict,
    basis: 'gguf',
    gpuLayers: r.gpuLayers,
    ramBytes: r.totalRamUsage,
    vramBytes: r.totalVramUsage,
    contextSize: r.contextSize,
  };
}

export interface CatalogFitMemory {
  ramFree: number;
  vramFree: number;
  gpu: boolean;
}

/**
 * A catalog model that is not on this machine: its GGUF metadata cannot be read offline, so
 * the estimate uses the recorded file size (weights are mapped whole) plus a KV cache sized
 * from the parameter count. Good enough to sort and badge; the real verdict replaces it once
 * the file is installed.
 */
export function fitFromCatalog(entry: CatalogEntry, memory: CatalogFitMemory): Fit {
  const contextSize = Math.min(entry.contextLength, entry.role === 'chat' ? CHAT_CONTEXT : 512);
  // About 0.11 MB of f16 KV cache per token per billion parameters for GQA models of this size.
  const kvBytes = entry.role === 'chat' ? Math.round(contextSize * entry.paramsB * 0.11 * 1024 ** 2) : 0;
  const overhead = 256 * 1024 ** 2;
  const needed = entry.bytes + kvBytes + overhead;
  if (memory.gpu && needed <= memory.vramFree) {
    return { verdict: 'gpu', basis: 'catalog', gpuLayers: -1, ramBytes: overhead, vramBytes: needed, contextSize };
  }
  return {
    verdict: needed <= memory.ramFree * 0.8 ? 'ram' : 'too-large',
    basis: 'catalog',
    gpuLayers: 0,
    ramBytes: needed,
    vramBytes: 0,
    contextSize,
  };
}
