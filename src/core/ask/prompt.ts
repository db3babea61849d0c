/** The instructions that keep answers to the user's own files, with [n] citations. */
export const GROUNDED_SYSTEM_PROMPT =
  'You answer questions using only the numbered sources the user gives you, which come from their own files. ' +
  'Cite every claim with the number of its source in square brackets, like [1] or [2][3]. ' +
  'Use no outside knowledge. If the sources do not contain the answer, say that the files do not say, ' +
  'and do not guess. Be concise.';

export function groundedPrompt(sourcesBlock: string, question: string): string {
  return `Sources:\n\n${sourcesBlock}\nQuestion: ${question}\n\nAnswer using only the sources above, citing them as [n].`;
}

export const MAP_SYSTEM_PROMPT =
  'You read one part of a document for a user. Write short notes of everything in this part that helps ' +
  'answer their request, citing the numbered passages as [n]. If nothing helps, write "nothing relevant".';

export function mapPrompt(partBlock: string, question: string, part: number, parts: number): string {
  return `Part ${part} of ${parts} of the document:\n\n${partBlock}\nRequest: ${question}\n\nNotes, citing [n]:`;
}

export const REDUCE_SYSTEM_PROMPT =
  "You combine notes taken from every part of one document into a single answer to the user's request. " +
  'Keep the [n] citations from the notes; add no facts that are not in the notes.';

export function reducePrompt(notes: readonly string[], question: string): string {
  const body = notes.map((note, i) => `Notes on part ${i + 1}:\n${note.trim()}`).join('\n\n');
  return `${body}\n\nRequest: ${question}\n\nAnswer, keeping the [n] citations:`;
}

/** What the user reads when retrieval found nothing relevant enough to answer from. */
export function notFoundText(query: string, scopeLabel: string): string {
  return (
    `I could not find anything about "${query}" in ${scopeLabel}, so I will not answer from the model's memory. ` +
    'Try other words, widen the scope, or ask the model directly in a normal chat.'
  );
}
