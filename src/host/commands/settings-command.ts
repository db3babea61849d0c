import type { Command } from 'commander';
import type { SettingsPatch } from '../../shared/settings';
import { withHearth } from '../client/open-hearth';
import { print, printableJson } from '../terminal-text';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * `hearth settings [get <key>] | set <key> <value> | reset`: the same settings the app's
 * Settings page edits, by dotted key (`chat.temperature`, `chain.rpcUrl`), through the running
 * Hearth when one owns the data folder.
 */
export function registerSettings(program: Command): void {
  const settings = program
    .command('settings')
    .description('Show or change settings by dotted key, e.g. `hearth settings set chat.temperature 0.4`.')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) =>
      withHearth({ command: 'hearth settings' }, async ({ api }) => {
        const all = (await api.settings.get()) as unknown as Json;
        if (options.json) print(printableJson(all, 2));
        else for (const [key, value] of flatten(all)) print(`${key} = ${JSON.stringify(value)}`);
      }),
    );
  settings
    .command('get <key>')
    .description('Print one setting (or a section) as JSON.')
    .action(async (key: string) =>
      withHearth({ command: 'hearth settings get' }, async ({ api }) => {
        print(printableJson(valueAt((await api.settings.get()) as unknown as Json, key), 2));
      }),
    );
  settings
    .command('set <key> [value...]')
    .description(
      'Change one setting. Lists take several values (`hearth settings set network.bootstrap ADDR1 ADDR2`, none to empty it); `null` clears a choice.',
    )
    .action(async (key: string, words: string[]) =>
      withHearth({ command: 'hearth settings set' }, async ({ api }) => {
        const current = valueAt((await api.settings.get()) as unknown as Json, key);
        const value = parseValue(key, current, words);
        // The engine's door refuses a wrong value in words that name the key ("chat.temperature
        // must be between 0 and 2; 5 is not."), printed as they are.
        const updated = await api.settings.update(patchFor(key, value));
        print(`${key} = ${JSON.stringify(valueAt(updated as unknown as Json, key))}`);
      }),
    );
  settings
    .command('reset')
    .description('Restore every setting to its default.')
    .action(async () =>
      withHearth({ command: 'hearth settings reset' }, async ({ api }) => {
        await api.settings.reset();
        print('Settings restored to their defaults.');
      }),
    );
}

/** Every leaf of the settings as `[dotted key, value]`; lists are leaves. */
function flatten(value: Json, prefix = ''): [string, Json][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key));
}

function valueAt(settings: Json, key: string): Json {
  let here: Json = settings;
  for (const part of key.split('.')) {
    if (here === null || typeof here !== 'object' || Array.isArray(here) || !(part in here)) {
      throw new Error(`There is no setting "${key}". See the keys with \`hearth settings\`.`);
    }
    here = here[part] as Json;
  }
  return here;
}

/** The typed value for `key`, read the way its current value is typed. */
function parseValue(key: string, current: Json, words: string[]): Json {
  if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
    throw new Error(`"${key}" is a section, not one setting. See its keys with \`hearth settings get ${key}\`.`);
  }
  if (Array.isArray(current)) return words.map((word) => (key === 'network.activeHours' ? hour(key, word) : word));
  if (words.length !== 1) throw new Error(`Give one value for ${key}, e.g. \`hearth settings set ${key} <value>\`.`);
  const [word] = words as [string];
  if (word === 'null') return null;
  if (typeof current === 'boolean') {
    if (word === 'true' || word === 'on') return true;
    if (word === 'false' || word === 'off') return false;
    throw new Error(`${key} is on or off: give true or false.`);
  }
  if (typeof current === 'number' || (current === null && /^-?\d+(\.\d+)?$/.test(word))) {
    const number = Number(word);
    if (!Number.isFinite(number)) throw new Error(`${key} is a number; "${word}" is not.`);
    return number;
  }
  return word;
}

/** A typed-in hour as the number the engine checks; its range is the engine's to judge. */
function hour(key: string, word: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(word))
    throw new Error(`${key} is a list of hours from 0 to 23, e.g. 9 10 11; "${word}" is not an hour.`);
  return Number(word);
}

/** `chat.temperature`, 0.4 -> `{ chat: { temperature: 0.4 } }`; the engine validates the rest. */
function patchFor(key: string, value: Json): SettingsPatch {
  return key.split('.').reduceRight<Json>((inner, part) => ({ [part]: inner }), value) as unknown as SettingsPatch;
}
