import type { GenerateMessage } from '../../chat/chat-generator';
import { ApiError } from './api-error';

/** A `POST /v1/chat/completions` body that passed every check below. */
export interface ChatCompletionRequest {
  /** As given; undefined when the client left it out (the chosen chat model answers). */
  model: string | undefined;
  messages: GenerateMessage[];
  stream: boolean;
  /** The longest answer the client asked for, in tokens; undefined: the chat settings decide. */
  maxTokens: { value: number; param: 'max_tokens' | 'max_completion_tokens' } | undefined;
  temperature: number | undefined;
  topP: number | undefined;
}

/**
 * Checks a chat completion body the way OpenAI does, refusing with its 400 messages, `param`
 * and codes. `null` in an optional field means "not given", as in OpenAI's own API; anything
 * else out of range is refused rather than passed on (a `max_tokens` of 0 once meant "no
 * limit" to the generator and held the one chat model until the client went away).
 */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  const b = requireObject(body);
  if (b.model !== undefined && typeof b.model !== 'string') throw invalidType('model', 'a string', b.model);
  const n = integer(b, 'n', 1, 128);
  if (n !== undefined && n !== 1)
    throw new ApiError(400, 'Hearth returns one choice per request; `n` must be 1.', {
      param: 'n',
      code: 'unsupported_value',
    });
  const stream = optional(b, 'stream');
  if (stream !== undefined && typeof stream !== 'boolean') throw invalidType('stream', 'a boolean', stream);
  const completion = integer(b, 'max_completion_tokens', 1);
  const legacy = integer(b, 'max_tokens', 1);
  return {
    model: b.model,
    messages: parseMessages(b.messages),
    stream: stream === true,
    maxTokens:
      completion !== undefined
        ? { value: completion, param: 'max_completion_tokens' }
        : legacy !== undefined
          ? { value: legacy, param: 'max_tokens' }
          : undefined,
    temperature: decimal(b, 'temperature', 0, 2),
    topP: decimal(b, 'top_p', 0, 1),
  };
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function parseMessages(value: unknown): GenerateMessage[] {
  if (!Array.isArray(value)) throw invalidType('messages', 'an array', value);
  if (value.length === 0)
    throw new ApiError(400, "Invalid 'messages': empty array. Expected an array with at least one message.", {
      param: 'messages',
      code: 'empty_array',
    });
  return value.map((m: unknown, i) => {
    const param = `messages[${i}]`;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw invalidType(param, 'an object', m);
    const { role, content } = m as { role?: unknown; content?: unknown };
    const mapped = role === 'developer' ? 'system' : role;
    if (mapped !== 'system' && mapped !== 'user' && mapped !== 'assistant')
      throw new ApiError(
        400,
        `Invalid '${param}.role': Hearth answers 'system', 'developer', 'user' and 'assistant' messages, not ${JSON.stringify(role ?? null)}.`,
        { param: `${param}.role`, code: 'invalid_value' },
      );
    return { role: mapped, text: messageText(content, `${param}.content`, mapped === 'assistant') };
  });
}

/** A string, or an array of `{type:'text',text}` parts; null only for an assistant turn. */
function messageText(content: unknown, param: string, nullable: boolean): string {
  if (typeof content === 'string') return content;
  if (content === null && nullable) return '';
  if (!Array.isArray(content)) throw invalidType(param, 'a string or an array of content parts', content);
  return content
    .map((part: unknown, j) => {
      const p = part as { type?: unknown; text?: unknown } | null;
      if (typeof p !== 'object' || p === null) throw invalidType(`${param}[${j}]`, 'an object', part);
      if (p.type !== 'text' || typeof p.text !== 'string')
        throw new ApiError(400, `Invalid '${param}[${j}]': Hearth's local models read text parts only.`, {
          param: `${param}[${j}]`,
          code: 'invalid_value',
        });
      return p.text;
    })
    .join('');
}

function optional(b: Record<string, unknown>, name: string): unknown {
  return b[name] === null ? undefined : b[name];
}

function integer(b: Record<string, unknown>, name: string, min: number, max?: number): number | undefined {
  const value = optional(b, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidType(name, 'an integer', value);
  if (value < min) throw outOfRange(name, 'integer below minimum value', `>= ${min}`, value);
  if (max !== undefined && value > max) throw outOfRange(name, 'integer above maximum value', `<= ${max}`, value);
  return value;
}

function decimal(b: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = optional(b, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(name, 'a number', value);
  if (value < min) throw outOfRange(name, 'decimal below minimum value', `>= ${min}`, value);
  if (value > max) throw outOfRange(name, 'decimal above maximum value', `<= ${max}`, value);
  return value;
}

function invalidType(param: string, expected: string, value: unknown): ApiError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return new ApiError(400, `Invalid type for '${param}': expected ${expected}, but got ${got} instead.`, {
    param,
    code: 'invalid_type',
  });
}

function outOfRange(param: string, what: string, expected: string, value: number): ApiError {
  return new ApiError(400, `Invalid '${param}': ${what}. Expected a value ${expected}, but got ${value} instead.`, {
    param,
    code: what.replaceAll(' ', '_'),
  });
}
