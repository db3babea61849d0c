import { ipcMain, type WebContents } from 'electron';
import { toWireError, validateEvent, type Engine } from '../core';
import type { WireResult } from '../shared/errors';

export const CALL_CHANNEL = 'hearth:call';
export const EVENT_CHANNEL = 'hearth:event';

/**
 * Door one: every contract call arrives on one channel and goes through the engine's generic
 * dispatch, which validates input and output. Only frames loaded from our own UI may call.
 */
export function bindIpc(engine: Engine, isTrustedSender: (url: string) => boolean): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, method: unknown, input: unknown): Promise<WireResult> => {
    if (!event.senderFrame || !isTrustedSender(event.senderFrame.url)) {
      return { ok: false, error: { name: 'UnauthorizedError', message: 'This page may not call Hearth.' } };
    }
    try {
      const value = await engine.dispatch(String(method), input, { door: 'ipc' });
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toWireError(error) };
    }
  });
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

/** Forwards every engine event, checked against the contract, to a window. */
export function forwardEvents(engine: Engine, contents: WebContents): () => void {
  return engine.events.onAny((name, payload) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, name, validateEvent(name, payload));
  });
}
