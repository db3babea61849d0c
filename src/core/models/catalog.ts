import * as v from 'valibot';
import catalogJson from '../../../resources/catalog.json';
import { CatalogEntrySchema, type CatalogEntry } from '../../shared/contract/models';

const CatalogFileSchema = v.object({ version: v.literal(1), models: v.array(CatalogEntrySchema) });

/** The curated catalog shipped in resources/catalog.json, checked once at load. */
export function loadCatalog(): CatalogEntry[] {
  return v.parse(CatalogFileSchema, catalogJson).models;
}
