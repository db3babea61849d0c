import type { Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import { settingLimits } from '../../shared/setting-limits';
import type { SettingsStore } from './settings-store';

export function createSettingsService(store: SettingsStore): ServiceOf<Contract['settings']> {
  return {
    get: async () => store.get(),
    update: async (patch) => store.update(patch),
    reset: async () => store.reset(),
    limits: async () => settingLimits(),
  };
}
