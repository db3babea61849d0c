import { contract } from './index';

/** True when `name` is an event the contract declares (`chat.token`, ...). */
export function isDeclaredEvent(name: string): boolean {
  const [ns, event, ...rest] = name.split('.');
  if (!ns || !event || rest.length > 0 || !Object.hasOwn(contract, ns)) return false;
  return Object.hasOwn(contract[ns as keyof typeof contract].events, event);
}
