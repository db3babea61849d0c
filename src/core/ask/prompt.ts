/** The instructions that keep answers to the user's own files, with [n] citations. */
export const GROUNDED_SYSTEM_PROMPT =
  'You answer questions using only the numbered sources the user gives you, which come from their own files. ' +
  'Cite every claim with the number of its source in square brackets, like [1] or [2][3]. ' +
  'Use no outside knowledge. If the sources do not contain the answer, say that the files do not say, ' +
  'and do not guess. Be concise.';

export function groundedPrompt(sourcesBlock: string, question: string): string {
  return `Sources:\n\n${sourcesBlock}\nQuestion: ${question}\n\nAnswer using only the sources above, citing them as [n].`;
}

/**
 * The answer prompt for a base model (no chat template): it continues text rather than follow
 * instructions, so it is shown one worked example and the answer starts after "Answer:", on one
 * line (COMPLETION_STOP). Measured on Gemma 3 270M: with the chat-shaped prompt it copied the
 * source list instead of answering in 73% of answers (docs/RETRIEVAL.md, "Base models").
 */
export function completionPrompt(sourcesBlock: string, question: string): string {
  return (
    'Answer each question from the numbered sources, in one sentence, citing the source as [n]. ' +
    'If the sources do not say, answer "The files do not say."\n\n' +
    'Sources:\n[1] recipe.txt\nBake the bread at 220 °C for 30 minutes, then let it cool.\n\n' +
    '[2] garden.md (Gate)\nThe garden gate is painted green every spring.\n\n' +
    'Question: How long does the bread bake?\nAnswer: The bread bakes for 30 minutes [1].\n\n' +
    `Sources:\n${sourcesBlock}\nQuestion: ${question}\nAnswer:`
  );
}

/** Where a completion-style answer ends: the model would go on to invent the next question. */
export const COMPLETION_STOP = ['\n'] as const;

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
export function notFoundText(query: string, scopeLabel: string, wholeLibrary = false): string {
  const widen = wholeLibrary ? '' : ' widen the scope,';
  return (
    `I could not find anything about "${query}" in ${scopeLabel}, so I will not answer from the model's memory. ` +
    `Try other words,${widen} or ask the model directly in a normal chat.`
  );
}
