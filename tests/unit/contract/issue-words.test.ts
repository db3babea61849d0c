import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { contract } from '../../../src/shared/contract';
import { contractBreachInWords } from '../../../src/shared/issue-words/contract-breach';
import { issuesInWords, wordIssues } from '../../../src/shared/issue-words/word-issues';

/** The worded issues a real contract schema gives for `input`; fails the test if the input passes. */
function refusal(schema: v.GenericSchema, input: unknown) {
  const result = v.safeParse(schema, input);
  if (result.success) throw new Error(`${JSON.stringify(input)} passed the schema`);
  return wordIssues(schema, result.issues);
}

const settingsUpdate = contract.settings.calls.update.input;
const createCollection = contract.library.calls.createCollection.input;

describe('a refused input, worded once at the door', () => {
  it('says the whole range of a number, whichever bound was broken', () => {
    expect(refusal(settingsUpdate, { chat: { temperature: 5 } })).toEqual([
      { path: 'chat.temperature', message: 'chat.temperature must be between 0 and 2; 5 is not.' },
    ]);
    expect(refusal(settingsUpdate, { chat: { temperature: -1 } })[0]!.message).toBe(
      'chat.temperature must be between 0 and 2; -1 is not.',
    );
  });

  it('asks for a whole number, once, even when the value also breaks a bound', () => {
    expect(refusal(settingsUpdate, { library: { chunkTokens: 100.5 } })).toEqual([
      { path: 'library.chunkTokens', message: 'library.chunkTokens must be a whole number.' },
    ]);
    expect(refusal(settingsUpdate, { chat: { maxTokens: 0.5 } })).toEqual([
      { path: 'chat.maxTokens', message: 'chat.maxTokens must be a whole number between 1 and 32768; 0.5 is not.' },
    ]);
  });

  it('leaves out a sanity cap nobody reaches, and says it to whoever does', () => {
    const [below] = refusal(settingsUpdate, { network: { pricePer1kTokens: -1 } });
    expect(below!.message).toBe('network.pricePer1kTokens must be 0 or more; -1 is not.');
    const [above] = refusal(settingsUpdate, { network: { pricePer1kTokens: 2e9 } });
    expect(above!.message).toBe('network.pricePer1kTokens must be between 0 and 1000000000; 2000000000 is not.');
  });

  it('lists the choices of a picklist', () => {
    expect(refusal(settingsUpdate, { appearance: { theme: 'blue' } })[0]!.message).toBe(
      'appearance.theme is one of system, light, dark; "blue" is not.',
    );
  });

  it('names the kind of value a field takes, with null where it is allowed', () => {
    expect(refusal(settingsUpdate, { chat: { temperature: 'hot' } })[0]!.message).toBe(
      'chat.temperature must be a number; "hot" is not.',
    );
    expect(refusal(settingsUpdate, { network: { maxVramGB: 'x' } })[0]!.message).toBe(
      'network.maxVramGB must be a number or null; "x" is not.',
    );
    expect(refusal(settingsUpdate, { library: { watch: 'yes' } })[0]!.message).toBe(
      'library.watch must be true or false; "yes" is not.',
    );
    expect(refusal(settingsUpdate, 'not an object')).toEqual([
      { path: '', message: 'The input must be an object; "not an object" is not.' },
    ]);
  });

  it('counts characters and items, and says what is missing or unknown', () => {
    expect(refusal(createCollection, {})).toEqual([{ path: 'name', message: 'name is missing.' }]);
    expect(refusal(createCollection, { name: '   ' })[0]!.message).toBe('name must not be empty.');
    expect(refusal(createCollection, { name: 'x'.repeat(201) })[0]!.message).toBe(
      'name must be at most 200 characters.',
    );
    const context = contract.library.calls.context.input;
    expect(refusal(context, { path: '/a', terms: Array.from({ length: 51 }, () => 'w') })[0]!.message).toBe(
      'terms must have at most 50 items.',
    );
    expect(refusal(settingsUpdate, { chat: { colour: 'red' } })).toEqual([
      { path: 'chat.colour', message: 'chat.colour is not a field Hearth knows here; check its spelling.' },
    ]);
  });

  it('uses the words a schema gives its own formats, and marks list items by index', () => {
    expect(refusal(contract.models.calls.remove.input, { file: '../a.gguf' })[0]!.message).toBe(
      'file must be a .gguf file name without folders; "../a.gguf" is not.',
    );
    const chain = refusal(settingsUpdate, { chain: { rpcUrl: 'nope', escrowAddress: '0x12' } });
    expect(chain.map((issue) => issue.message)).toEqual([
      'chain.rpcUrl must be a URL such as http://127.0.0.1:8545; "nope" is not.',
      'chain.escrowAddress must be an address: 0x and 40 hex digits; "0x12" is not.',
    ]);
    expect(refusal(settingsUpdate, { network: { activeHours: [9, 25] } })).toEqual([
      {
        path: 'network.activeHours.1',
        message: 'network.activeHours[1] must be a whole number between 0 and 23; 25 is not.',
      },
    ]);
  });

  it('joins several issues into one message, in order, and cuts long values short', () => {
    const issues = refusal(settingsUpdate, { chat: { temperature: 5 }, appearance: { theme: 'b'.repeat(500) } });
    const message = issuesInWords(issues);
    expect(message).toMatch(/^appearance\.theme is one of system, light, dark; "b{59}…" is not\. chat\.temperature/);
  });
});

describe('a result that breaks the contract, worded for a developer', () => {
  it('says where and what was expected, never the value', () => {
    const result = v.safeParse(contract.settings.calls.get.output, { version: 1, chat: 'my secret prompt' });
    expect(result.success).toBe(false);
    if (result.success) return;
    const message = contractBreachInWords('settings.get', result.issues);
    expect(message).toMatch(/^Hearth answered settings\.get with a result its contract does not allow, at /);
    expect(message).toContain('chat (Object expected)');
    expect(message).toContain('appearance (missing)');
    expect(message).toMatch(/This is a bug in Hearth; please report it/);
    expect(message).not.toContain('my secret prompt');
  });
});
