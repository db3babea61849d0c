import * as v from 'valibot';
import { contract, type Contract } from '../../shared/contract';
import type { CallContext, CallSpec, EventSpec, ServiceOf } from '../../shared/contract/define';
import { DoorErrorName, type WireError } from '../../shared/errors';
import { contractBreachInWords } from '../../shared/issue-words/contract-breach';
import { issuesInWords, wordIssues } from '../../shared/issue-words/word-issues';
import { CallError } from '../call-error';

/** What the binder can serve: any part of the contract (tests bind a namespace or two). */
export type Services = { [N in keyof Contract]?: Partial<ServiceOf<Contract[N]>> };

/** The engine's implementation of the whole contract: a missing namespace or call is a compile error. */
export type EngineServices = { [N in keyof Contract]: ServiceOf<Contract[N]> };

export { CallError };

/** `settings.update` -> its spec, or undefined for names the contract does not declare. */
function findCall(method: string) {
  const [ns, name, ...rest] = method.split('.');
  if (!ns || !name || rest.length > 0 || !Object.hasOwn(contract, ns)) return undefined;
  const calls: Readonly<Record<string, CallSpec>> = contract[ns as keyof Contract].calls;
  return Object.hasOwn(calls, name) ? { ns: ns as keyof Contract, name, spec: calls[name]! } : undefined;
}

export type Dispatch = (method: string, input: unknown, context: CallContext) => Promise<unknown>;

/**
 * The one generic binder behind both doors: it finds the call in the contract, validates the
 * input, runs the service, and validates the output. Unknown calls, bad payloads and calls
 * not built yet are refused with a CallError; nothing is faked.
 */
export function createDispatch(services: Services): Dispatch {
  return async (method, input, context) => {
    const found = findCall(method);
    if (!found) throw new CallError(DoorErrorName.UnknownCall, `Hearth has no call named "${method}".`);
    const parsed = v.safeParse(found.spec.input, input ?? {});
    if (!parsed.success) {
      // Worded here once, for every door: the CLI prints it, the app shows it beside the field.
      const issues = wordIssues(found.spec.input, parsed.issues);
      throw new CallError(DoorErrorName.InvalidInput, issuesInWords(issues), issues);
    }
    const service = services[found.ns] as Record<string, unknown> | undefined;
    const impl = service?.[found.name];
    if (typeof impl !== 'function') {
      throw new CallError(DoorErrorName.NotImplemented, `${method} is not available in this version of Hearth yet.`);
    }
    const output: unknown = await impl.call(service, parsed.output, context);
    const checked = v.safeParse(found.spec.output, output);
    if (!checked.success) {
      throw new CallError(DoorErrorName.InvalidOutput, contractBreachInWords(method, checked.issues));
    }
    return checked.output;
  };
}

/** Turns anything thrown by a service into plain data for the wire, without stack traces. */
export function toWireError(error: unknown): WireError {
  if (error instanceof CallError && error.issues) {
    return {
      name: error.name,
      message: error.message,
      issues: error.issues.map(({ path, message }) => ({ path, message })),
    };
  }
  if (error instanceof Error) {
    return { name: error.name || DoorErrorName.Internal, message: error.message };
  }
  return { name: DoorErrorName.Internal, message: String(error) };
}

/** Checks an event payload before it leaves the engine; undefined when the name is unknown. */
export function validateEvent(name: string, payload: unknown): unknown {
  const [ns, event] = name.split('.');
  if (!ns || !event || !Object.hasOwn(contract, ns)) return undefined;
  const events: Readonly<Record<string, EventSpec>> = contract[ns as keyof Contract].events;
  if (!Object.hasOwn(events, event)) return undefined;
  return v.parse(events[event]!.payload, payload);
}
