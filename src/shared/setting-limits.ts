import * as v from 'valibot';
import { SettingsSchema } from './settings';

/** The bounds a numeric setting accepts, read from its schema; null where there is none. */
export interface NumberLimit {
  min: number | null;
  max: number | null;
  integer: boolean;
}

interface SchemaLike {
  type: string;
  wrapped?: SchemaLike;
  pipe?: readonly { type: string; requirement?: unknown }[];
  entries?: Record<string, SchemaLike>;
}

/** The limits of a number schema (through `nullable`/`optional`), or null when it is not a number. */
export function numberLimit(schema: SchemaLike): NumberLimit | null {
  let inner = schema;
  while (inner.wrapped) inner = inner.wrapped;
  const base = inner.pipe?.[0] ?? inner;
  if (base.type !== 'number') return null;
  const limit: NumberLimit = { min: null, max: null, integer: false };
  for (const item of inner.pipe ?? []) {
    if (item.type === 'min_value') limit.min = item.requirement as number;
    if (item.type === 'max_value') limit.max = item.requirement as number;
    if (item.type === 'integer') limit.integer = true;
  }
  return limit;
}

/**
 * Every numeric setting's limits by dotted path ("chat.temperature"), from SettingsSchema itself,
 * so the UI's hints and checks can never disagree with what the engine accepts.
 */
export function settingLimits(): Record<string, NumberLimit> {
  const out: Record<string, NumberLimit> = {};
  for (const [section, sectionSchema] of Object.entries(SettingsSchema.entries)) {
    const entries = (sectionSchema as SchemaLike).entries ?? {};
    for (const [key, schema] of Object.entries(entries)) {
      const limit = numberLimit(schema);
      if (limit) out[`${section}.${key}`] = limit;
    }
  }
  return out;
}

export const NumberLimitSchema = v.object({
  min: v.nullable(v.number()),
  max: v.nullable(v.number()),
  integer: v.boolean(),
});
