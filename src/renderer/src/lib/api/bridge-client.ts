import type { HearthApi } from '../../../../shared/contract';
import type { WireResult } from '../../../../shared/errors';
import { RemoteError, wireIssues } from './remote-error';

type BridgeMember = (arg?: unknown) => unknown;
/** What the preload exposes: the contract's shape, with calls resolving to a WireResult. */
export type Bridge = Record<string, Record<string, BridgeMember>>;

/** The API over Electron IPC: unwraps each WireResult into a value or a RemoteError. */
export function bridgeApi(bridge: Bridge): HearthApi {
  const api: Record<string, Record<string, BridgeMember>> = {};
  for (const [ns, members] of Object.entries(bridge)) {
    api[ns] = {};
    for (const [name, member] of Object.entries(members)) {
      api[ns][name] = name.startsWith('on')
        ? member
        : async (input?: unknown) => {
            const result = (await member(input)) as WireResult;
            if (!result.ok)
              throw new RemoteError(result.error.name, result.error.message, wireIssues(result.error.issues));
            return result.value;
          };
    }
  }
  return api as unknown as HearthApi;
}
