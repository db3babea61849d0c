import type { GenerateMessage } from './chat-generator';

/** The network accepts prompts up to this many characters (NetworkGenerateSchema). */
export const NETWORK_PROMPT_MAX_CHARS = 65_536;

/**
 * The prompt a network provider sees: the conversation's own user and assistant messages in a
 * plain "User:/Assistant:" template, and nothing else (no system prompt from the settings, no
 * library text). Providers run raw GGUF files whose chat templates this side cannot know, so
 * the template is plain text. When the conversation is too long, its oldest turns are left
 * out; the last message is cut from its start if even it alone is too long.
 */
export function networkPrompt(messages: readonly GenerateMessage[], maxChars = NETWORK_PROMPT_MAX_CHARS): string {
  const closing = 'Assistant:';
  const turns = messages
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.text.trim()}\n\n`);
  let prompt = closing;
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    if (turn.length + prompt.length > maxChars) {
      if (i === turns.length - 1) prompt = turn.slice(turn.length + prompt.length - maxChars) + prompt;
      break;
    }
    prompt = turn + prompt;
  }
  return prompt;
}
