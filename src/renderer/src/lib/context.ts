import { getContext, setContext } from 'svelte';
import type { AppInfo, HearthApi } from '../../../shared/contract';
import type { SettingsState } from './settings.svelte';

const API = Symbol('api');
const SETTINGS = Symbol('settings');
const APP_INFO = Symbol('app-info');

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
