import * as v from 'valibot';
import { SettingsPatchSchema, SettingsSchema } from '../settings';
import { NumberLimitSchema } from '../setting-limits';
import { call, event, namespace } from './define';

export const settingsContract = namespace(
  {
    get: call(v.strictObject({}), SettingsSchema, 'The current settings.'),
    update: call(SettingsPatchSchema, SettingsSchema, 'Change some settings; returns all of them.'),
    reset: call(v.strictObject({}), SettingsSchema, 'Restore the default settings.'),
    limits: call(
      v.strictObject({}),
      v.record(v.string(), NumberLimitSchema),
      'The bounds of every numeric setting by dotted path ("chat.temperature"), read from the settings schema.',
    ),
  },
  {
    changed: event(SettingsSchema, 'Settings changed, from any door.'),
  },
);
