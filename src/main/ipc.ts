import { ipcMain, type IpcMainEvent, type WebContents } from 'electron';
import { toWireError, validateEvent, type Engine } from '../core';
import type { WireResult } from '../shared/errors';
import { isDeclaredEvent } from '../shared/contract/event-names';

export const CALL_CHANNEL = 'hearth:call';
export const EVENT_CHANNEL = 'hearth:event';
export const SUBSCRIBE_CHANNEL = 'hearth:subscribe';

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

/**
 * Forwards to a window the engine events its page subscribed to (the preload asks on
 * `hearth:subscribe` when the page adds its first listener of a name), checked against the contract.
 */
export function forwardEvents(engine: Engine, contents: WebContents): () => void {
  const subscribed = new Set<string>();
  const onSubscribe = (event: IpcMainEvent, name: unknown, on: unknown) => {
    if (event.sender !== contents || typeof name !== 'string' || !isDeclaredEvent(name)) return;
    if (on === true) subscribed.add(name);
    else subscribed.delete(name);
  };
  ipcMain.on(SUBSCRIBE_CHANNEL, onSubscribe);
  // A new page (a reload) starts with no listeners; it subscribes again from its preload.
  const onNavigate = (details: { isMainFrame: boolean; isSameDocument: boolean }) => {
    if (details.isMainFrame && !details.isSameDocument) subscribed.clear();
  };
  contents.on('did-start-navigation', onNavigate);
  const stopEvents = engine.events.onAny((name, payload) => {
    if (subscribed.has(name) && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, name, validateEvent(name, payload));
  });
  return () => {
    stopEvents();
    ipcMain.off(SUBSCRIBE_CHANNEL, onSubscribe);
    if (!contents.isDestroyed()) contents.off('did-start-navigation', onNavigate);
  };
}
