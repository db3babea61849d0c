import * as v from 'valibot';
import { DoorErrorName, type WireError } from '../shared/errors';

/** A request from a socket client: JSON-RPC 2.0, one contract call per message. */
export const RpcRequestSchema = v.strictObject({
  jsonrpc: v.literal('2.0'),
  id: v.union([v.pipe(v.number(), v.integer()), v.pipe(v.string(), v.maxLength(100))]),
  method: v.pipe(v.string(), v.maxLength(200)),
  params: v.optional(v.unknown()),
});
export type RpcRequest = v.InferOutput<typeof RpcRequestSchema>;

/**
 * JSON-RPC error codes; `data.name` carries Hearth's own error name for the client to match, and
 * `data.issues` a refused input's worded issues (WireIssue) with their field paths.
 */
const RPC_CODE: Record<string, number> = {
  ParseError: -32700,
  InvalidRequest: -32600,
  [DoorErrorName.UnknownCall]: -32601,
  [DoorErrorName.InvalidInput]: -32602,
  [DoorErrorName.Internal]: -32603,
};

export function rpcError(id: RpcRequest['id'] | null, error: WireError): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    error: {
      code: RPC_CODE[error.name] ?? -32000,
      message: error.message,
      data: error.issues ? { name: error.name, issues: error.issues } : { name: error.name },
    },
  });
}

export function rpcResult(id: RpcRequest['id'], result: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result: result ?? null });
}

/** Engine events travel as notifications with method `event`. */
export function rpcEvent(name: string, payload: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { name, payload } });
}
