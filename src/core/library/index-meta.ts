import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { readJsonState, type OnStateDamage } from '../state';
import { LibraryStore } from './store';

const EmbedModelInfoSchema = v.object({
  name: v.string(),
  bytes: v.number(),
  dimension: v.pipe(v.number(), v.integer(), v.minValue(0)),
  weak: v.boolean(),
});

const GenerationSchema = v.pipe(v.number(), v.integer(), v.minValue(1));

/** `index.json`: which LanceDB generation answers, and the embedding model its vectors came from. */
export const IndexMetaSchema = v.object({
  generation: GenerationSchema,
  model: v.nullable(EmbedModelInfoSchema),
  /** Where that model was loaded from, so the library finds it again when no model is chosen. */
  modelPath: v.optional(v.nullable(v.string()), null),
  /** A new generation being built for a new embedding model; the old one answers until it is done. */
  building: v.nullable(
    v.object({
      generation: GenerationSchema,
      model: v.nullable(EmbedModelInfoSchema),
      modelPath: v.optional(v.nullable(v.string()), null),
    }),
  ),
});
export type IndexMeta = v.InferOutput<typeof IndexMetaSchema>;

/** The name recorded for vectors whose model was lost with a damaged index.json. */
export const UNKNOWN_MODEL = 'an unknown embedding model';

export interface LoadedIndexMeta {
  meta: IndexMeta;
  /**
   * True when index.json was damaged or missing while LanceDB holds a generation: the meta was
   * rebuilt from the tables and the model of their vectors is not known.
   */
  recovered: 'damaged' | 'missing' | null;
}

export function emptyIndexMeta(): IndexMeta {
  return { generation: 1, model: null, modelPath: null, building: null };
}

/**
 * Reads index.json. When it is damaged (or gone while tables remain), the generation is found
 * again from the LanceDB table names instead of starting over at generation 1, which would show
 * an empty library and, on the next write, index everything again beside the lost one.
 */
export async function readIndexMeta(dir: string, lanceDir: string, onDamage?: OnStateDamage): Promise<LoadedIndexMeta> {
  const state = await readJsonState(join(dir, 'index.json'), IndexMetaSchema, {
    onDamage,
    consequence:
      'the library found its index again from its LanceDB tables and keeps its documents and vectors (see Library for what it needs).',
  });
  if (state.kind === 'value') return { meta: state.value, recovered: null };
  // The lowest generation is the active one: a generation being built always has a higher number.
  const generations = existsSync(lanceDir) ? await LibraryStore.generations(lanceDir) : [];
  if (generations.length === 0) return { meta: emptyIndexMeta(), recovered: null };
  return { meta: { ...emptyIndexMeta(), generation: generations[0]! }, recovered: state.kind };
}
