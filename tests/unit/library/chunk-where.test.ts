import { sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkWhere, documentWhere } from '../../../src/core/library/store-filter';

describe('chunkWhere: a ChunkFilter as one LanceDB filter', () => {
  it('is null for no filter or an empty scope (every chunk)', () => {
    expect(chunkWhere(undefined)).toBeNull();
    expect(chunkWhere({ within: { collections: [], folders: [], files: [] } })).toBeNull();
  });

  it('makes a scope of collections, folders and files one union, and-ed with the other fields', () => {
    expect(
      chunkWhere({
        collection: 'c1',
        within: { collections: ['c2', 'c3'], folders: ['/data/notes/'], files: ['/data/a.pdf'] },
        types: ['pdf', 'md'],
      }),
    ).toBe(
      "(collection = 'c1') AND " +
        `((collection IN ('c2', 'c3')) OR (path IN ('/data/a.pdf')) OR (path = '/data/notes' OR starts_with(path, '/data/notes${sep}'))) AND ` +
        "(type IN ('pdf', 'md'))",
    );
  });

  it('matches a folder and what is below it, never a sibling that shares its name as a prefix', () => {
    expect(chunkWhere({ folder: '/data/notes' })).toBe(
      `path = '/data/notes' OR starts_with(path, '/data/notes${sep}')`,
    );
  });

  it("escapes quotes in every value, so a name like o'neil's cannot end the string", () => {
    const where = chunkWhere({ collection: "x' OR '1'='1", within: { files: ["/d/o'neil's.md"] } })!;
    expect(where).toBe("(collection = 'x'' OR ''1''=''1') AND (path IN ('/d/o''neil''s.md'))");
  });
});

describe('documentWhere: a DocumentFilter as one LanceDB filter', () => {
  it('escapes keys and folders and ands the fields, so callers never write filter strings', () => {
    expect(documentWhere(undefined)).toBeNull();
    expect(documentWhere({ collection: "o'brien", problems: true })).toBe(
      "(collection = 'o''brien') AND (state != 'indexed')",
    );
    expect(documentWhere({ keys: ['c1:/a.md', 'c1:/b.md'] })).toBe("key IN ('c1:/a.md', 'c1:/b.md')");
    expect(documentWhere({ collection: 'c1', folder: '/data/notes/' })).toBe(
      `(collection = 'c1') AND (path = '/data/notes' OR starts_with(path, '/data/notes${sep}'))`,
    );
  });
});
