export { isLoopbackHost } from './loopback-host';
export { decodePath, requestPath } from './request-path';
