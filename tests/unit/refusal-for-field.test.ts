import { describe, expect, it } from 'vitest';
import { RemoteError } from '../../src/renderer/src/lib/api/remote-error';
import { refusalForField } from '../../src/renderer/src/lib/refusal-for-field';

const url = 'chain.rpcUrl must be a URL such as http://127.0.0.1:8545; "x" is not.';
const theme = 'appearance.theme is one of system, light, dark; "blue" is not.';

describe('a settings refusal, placed by the path of each issue', () => {
  it('puts the issues about a field (or inside its section) under it, and the rest on the page', () => {
    const refused = new RemoteError('InvalidInputError', `${url} ${theme}`, [
      { path: 'chain.rpcUrl', message: url },
      { path: 'appearance.theme', message: theme },
    ]);
    expect(refusalForField(refused, 'chain')).toEqual({ field: url, page: theme });
    expect(refusalForField(refused, 'appearance.theme')).toEqual({ field: theme, page: url });
    // "chain" is not "chainId": a path matches whole segments only.
    expect(refusalForField(refused, 'chai')).toEqual({ field: `${url} ${theme}`, page: null });
  });

  it('keeps any other failure, or malformed issues, whole under the field', () => {
    expect(refusalForField(new RemoteError('DisconnectedError', 'Hearth stopped.'), 'chat.temperature')).toEqual({
      field: 'Hearth stopped.',
      page: null,
    });
    const odd = Object.assign(new Error('chat.temperature must be a number; "hot" is not.'), {
      issues: [{ path: 1, message: null }],
    });
    expect(refusalForField(odd, 'chat.temperature').field).toBe('chat.temperature must be a number; "hot" is not.');
  });
});
