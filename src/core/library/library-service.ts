import type { Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import type { Library } from './library';
import { passageContext } from './passage-context';

/** The `library` namespace of the contract, answered by a Library. */
export function createLibraryService(library: () => Promise<Library>): ServiceOf<Contract['library']> {
  return {
    collections: async () => (await library()).collections(),
    createCollection: async ({ name }) => (await library()).createCollection(name),
    renameCollection: async ({ collection, name }) => (await library()).renameCollection(collection, name),
    removeCollection: async ({ collection }) => {
      await (await library()).removeCollection(collection);
      return {};
    },
    addSource: async ({ collection, path }) => (await library()).addSource(collection, path),
    removeSource: async ({ collection, path }) => (await library()).removeSource(collection, path),
    reindex: async ({ collection, force }) => (await library()).reindex(collection, force ?? false),
    pause: async () => {
      (await library()).pause();
      return {};
    },
    resume: async () => {
      (await library()).resume();
      return {};
    },
    cancel: async ({ collection }) => {
      await (await library()).cancel(collection);
      return {};
    },
    files: async ({ collection, problemsOnly }) => (await library()).files(collection, problemsOnly ?? false),
    status: async () => (await library()).status(),
    search: async ({ query, ...options }) => (await library()).search(query, options),
    context: async (request) => passageContext(await library(), request),
  };
}
