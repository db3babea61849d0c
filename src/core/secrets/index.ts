export {
  createSecretStore,
  SecretNameError,
  type SecretCipher,
  type SecretStore,
  type SecretStoreOptions,
} from './secret-store';
export { SealedSecretError } from './sealed-secret-error';
export { DamagedSecretError } from './damaged-secret-error';
export { loadOrCreateKey, type KeyCodec } from './load-or-create-key';
