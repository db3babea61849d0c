import { describe, expect, it } from 'vitest';
import { inCliWords } from '../../../src/host/cli-words';
import { RemoteError } from '../../../src/shared/errors';

describe('errors in a CLI user’s words', () => {
  it('replaces a pointer to an app page with the hearth commands, by error name', () => {
    const error = new RemoteError(
      'NoModelChosenError',
      'No chat model is chosen yet. Download or import one on the Models page, then choose it.',
    );
    expect(inCliWords(error)).toBe(
      'No chat model is chosen yet. Install one with `hearth models pull <id>` (ids: `hearth models list --catalog`) ' +
        'or `hearth models import <file.gguf>`, then choose it with `hearth models use <file>`.',
    );
  });

  it('keeps the claim of a sentence that also points to a page', () => {
    const error = new RemoteError(
      'AskUnavailableError',
      'Asking your files needs a library: add a folder on the Library page first.',
    );
    expect(inCliWords(error)).toBe('Asking your files needs a library. Index a folder first: `hearth index <folder>`.');
  });

  it('leaves other errors, and plain text, as they are', () => {
    expect(inCliWords(new RemoteError('LibraryError', 'See the Library page.'))).toBe('See the Library page.');
    expect(inCliWords('plain words')).toBe('plain words');
  });
});
