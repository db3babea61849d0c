import { open, stat } from 'node:fs/promises';
import { GgufInsights, readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { InvalidModelFileError } from './errors';
import type { ModelRole } from '../../shared/contract/models';

/** What a valid GGUF file says about itself. */
export interface GgufFacts {
  bytes: number;
  architecture: string | null;
  name: string | null;
  /** Context length the model was trained with. */
  contextLength: number | null;
  hasChatTemplate: boolean;
  /** The role the metadata suggests: encoders and pooled models embed, rerankers rank. */
  suggestedRole: ModelRole;
  info: GgufFileInfo;
}

const EMBEDDING_ARCHITECTURES = new Set(['bert', 'nomic-bert', 'jina-bert-v2', 'modern-bert', 'nomic-bert-moe']);

/**
 * Checks that `path` is a complete GGUF file: the magic bytes, readable metadata, and every
 * tensor's bytes present (a truncated download has a valid header but missing weights, and
 * loading it would crash or produce garbage).
 */
export async function checkGgufFile(path: string): Promise<GgufFacts> {
  let bytes: number;
  try {
    bytes = (await stat(path)).size;
  } catch {
    throw new InvalidModelFileError(path, 'the file cannot be read');
  }
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    if (head.toString('latin1') !== 'GGUF') {
      throw new InvalidModelFileError(path, 'it does not start with the GGUF signature (is it a GGUF model file?)');
    }
  } finally {
    await handle.close();
  }
  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false });
  } catch (error) {
    throw new InvalidModelFileError(
      path,
      `its metadata cannot be read (${(error as Error).message}); the file may be truncated`,
    );
  }
  const insights = await GgufInsights.from(info);
  const tensors = info.fullTensorInfo ?? info.tensorInfo ?? [];
  const first = tensors[0];
  const dataStart = first
    ? Number(first.fileOffset) - Number(first.offset)
    : info.metadataSize + (info.tensorInfoSize ?? 0);
  const needed = dataStart + insights.modelSize;
  if (bytes < needed) {
    throw new InvalidModelFileError(
      path,
      `it is truncated (${bytes} of at least ${needed} bytes); download or copy it again`,
    );
  }
  const metadata = info.metadata as Record<string, unknown> & {
    general?: { architecture?: string; name?: string };
    tokenizer?: { chat_template?: string };
  };
  const architecture = metadata.general?.architecture ?? null;
  const archMeta = architecture ? (metadata[architecture] as Record<string, unknown> | undefined) : undefined;
  const poolingType = archMeta?.pooling_type as number | undefined;
  const name = metadata.general?.name ?? null;
  const suggestedRole: ModelRole =
    /rerank/i.test(name ?? '') || poolingType === 4
      ? 'reranker'
      : EMBEDDING_ARCHITECTURES.has(architecture ?? '') || /embed/i.test(name ?? '')
        ? 'embedding'
        : 'chat';
  return {
    bytes,
    architecture,
    name,
    contextLength: insights.trainContextSize ?? null,
    hasChatTemplate: typeof metadata.tokenizer?.chat_template === 'string',
    suggestedRole,
    info,
  };
}
