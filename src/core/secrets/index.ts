export {
  createSecretStore,
  SecretNameError,
  type SecretCipher,
  type SecretStore,
  type SecretStoreOptions,
} from './secret-store';
export { DamagedSecretError } from './damaged-secret-error';
export { loadOrCreateKey, type KeyCodec } from './load-or-create-key';
