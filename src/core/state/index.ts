export {
  damagedName,
  damageMessage,
  readJsonState,
  setAside,
  type JsonState,
  type OnStateDamage,
  type ReadJsonStateOptions,
  type StateDamage,
} from './json-state';
export { makeDataDirPrivate, PRIVATE_UMASK } from './private-data-dir';
export {
  DataFolderLock,
  DataFolderInUseError,
  describeOwner,
  findFolderOwner,
  type DataFolderOwner,
  type FolderOwnerFound,
  type OwnerAccess,
  type OwnerKind,
} from './folder-lock';
