import { getContext, setContext } from 'svelte';
import type { HearthApi } from '../../../shared/contract';
import type { SettingsState } from './settings.svelte';

const API = Symbol('api');
const SETTINGS = Symbol('settings');

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
