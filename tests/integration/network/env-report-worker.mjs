/**
 * A network worker that reports what it was given, for worker-isolation.test.ts: it speaks the
 * IPC of src/core/network/worker/inference-worker.ts and answers every job with one token, the
 * JSON of its environment and working directory.
 */
const send = (message) => process.send?.(message);
process.on('message', (message) => {
  if (message.type === 'load') send({ type: 'ready' });
  if (message.type !== 'run') return;
  const { id } = message.job;
  send({
    type: 'token',
    id,
    text: JSON.stringify({ env: process.env, cwd: process.cwd(), argv: process.argv.slice(2) }),
  });
  send({ type: 'done', id, promptTokens: 1, completionTokens: 1, generationMs: 0, stopReason: 'eos', tokens: [1] });
});
process.on('disconnect', () => process.exit(0));
