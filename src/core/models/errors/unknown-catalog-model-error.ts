export class UnknownCatalogModelError extends Error {
  override readonly name = 'UnknownCatalogModelError';
  constructor(readonly catalogId: string) {
    super(`"${catalogId}" is not in Hearth's model catalog. Reopen the Models page to see the current list.`);
  }
}
