export const PAGES = [
  { id: 'chat', label: 'Chat' },
  { id: 'library', label: 'Library' },
  { id: 'models', label: 'Models' },
  { id: 'contribute', label: 'Contribute' },
  { id: 'settings', label: 'Settings' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

function pageFromHash(): PageId {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.find((page) => page.id === id)?.id ?? 'chat';
}

/** Which page is shown; kept in the URL hash so reloads and the back button work. */
export class Router {
  #page = $state<PageId>(pageFromHash());

  get page(): PageId {
    return this.#page;
  }

  go(page: PageId): void {
    this.#page = page;
    history.replaceState(null, '', `#/${page}`);
  }
}
