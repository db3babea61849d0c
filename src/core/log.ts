import { mkdirSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { createStream } from 'rotating-file-stream';

export type { Logger };

/**
 * Fields that may hold the user's words or documents. They are censored wherever they appear,
 * so a careless `log.info({ request })` cannot leak a prompt into a log file.
 */
export const PRIVATE_LOG_FIELDS = [
  'text',
  'prompt',
  'content',
  'messages',
  'query',
  'snippet',
  'systemPrompt',
  'token',
];

const redactPaths = PRIVATE_LOG_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export interface LoggerOptions {
  /** Folder for `hearth.log` and its rotated copies. */
  dir: string;
  /** Default `info`; `HEARTH_LOG_LEVEL` overrides it. */
  level?: string;
}

export const LOG_FILE_NAME = 'hearth.log';

/** A structured JSON logger writing to a size-rotated file (5 MB, 5 files kept). */
export function createLogger({ dir, level }: LoggerOptions): { log: Logger; close: () => Promise<void> } {
  mkdirSync(dir, { recursive: true });
  const stream = createStream(LOG_FILE_NAME, { path: dir, size: '5M', maxFiles: 5 });
  const log = pino(
    {
      level: process.env.HEARTH_LOG_LEVEL ?? level ?? 'info',
      redact: { paths: redactPaths, censor: '[private]' },
    },
    stream,
  );
  const close = () => new Promise<void>((resolve) => stream.end(resolve));
  return { log, close };
}
