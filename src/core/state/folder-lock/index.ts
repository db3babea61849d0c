export { DataFolderLock, findFolderOwner, LOCK_FILE, ACCESS_FILE, type FolderOwnerFound } from './data-folder-lock';
export { DataFolderInUseError, describeOwner } from './data-folder-in-use-error';
export type { DataFolderOwner, OwnerAccess, OwnerKind } from './data-folder-owner';
