export { LocalApiServer, type LocalApiInfo, type LocalApiServerOptions } from './local-api-server';
