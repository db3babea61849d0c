import { getContext, setContext } from 'svelte';
import type { AppInfo, HearthApi } from '../../../shared/contract';
import type { AskState } from './ask.svelte';
import type { LibraryState } from './library.svelte';
import type { NetworkState } from './network.svelte';
import type { SettingsState } from './settings.svelte';

const API = Symbol('api');
const SETTINGS = Symbol('settings');
const APP_INFO = Symbol('app-info');
const NETWORK = Symbol('network');
const LIBRARY = Symbol('library');
const ASK = Symbol('ask');

export function setApi(api: HearthApi): void {
  setContext(API, api);
}
export function getApi(): HearthApi {
  return getContext<HearthApi>(API);
}
export function setSettings(settings: SettingsState): void {
  setContext(SETTINGS, settings);
}
export function getSettings(): SettingsState {
  return getContext<SettingsState>(SETTINGS);
}
/** Which app this is and where it runs (`host: 'desktop'` in the Electron app). */
export function setAppInfo(info: AppInfo): void {
  setContext(APP_INFO, info);
}
export function getAppInfo(): AppInfo {
  return getContext<AppInfo>(APP_INFO);
}

/** App-level state, created once by the workspace: the network node's status and its actions. */
export function setNetwork(network: NetworkState): void {
  setContext(NETWORK, network);
}
export function getNetwork(): NetworkState {
  return getContext<NetworkState>(NETWORK);
}
/** App-level state: the library's collections, status and progress. */
export function setLibrary(library: LibraryState): void {
  setContext(LIBRARY, library);
}
export function getLibrary(): LibraryState {
  return getContext<LibraryState>(LIBRARY);
}
/** App-level state: "Ask your files", its turns and history, kept across pages. */
export function setAsk(ask: AskState): void {
  setContext(ASK, ask);
}
export function getAsk(): AskState {
  return getContext<AskState>(ASK);
}
