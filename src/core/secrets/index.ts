export {
  createSecretStore,
  SecretNameError,
  type SecretCipher,
  type SecretStore,
  type SecretStoreOptions,
} from './secret-store';
export { SealedSecretError } from './sealed-secret-error';
