/** The parts of a valibot schema the walk reads; every schema is a plain object with these. */
export interface SchemaNode {
  type: string;
  wrapped?: SchemaNode;
  entries?: Record<string, SchemaNode>;
  item?: SchemaNode;
  value?: SchemaNode;
  options?: readonly unknown[];
}

/** Strips `optional`, `nullable` and their kin: what is left is the schema that judged the value. */
export function unwrapped(schema: SchemaNode): SchemaNode {
  let inner = schema;
  while (inner.wrapped) inner = inner.wrapped;
  return inner;
}

/**
 * The schema that judged the value at `path` (an issue's path), or null where the walk cannot
 * tell (inside a union). An issue names only the bound that was broken; the schema knows both,
 * so a refusal can say "between 0 and 2" instead of only "at most 2".
 */
export function schemaAt(root: unknown, path: readonly { key: unknown }[] | undefined): SchemaNode | null {
  let here = root as SchemaNode;
  for (const { key } of path ?? []) {
    const inner = unwrapped(here);
    const next =
      inner.entries && typeof key === 'string'
        ? Object.hasOwn(inner.entries, key)
          ? inner.entries[key]
          : undefined
        : (inner.item ?? (inner.type === 'record' ? inner.value : undefined));
    if (!next) return null;
    here = next;
  }
  return here;
}
