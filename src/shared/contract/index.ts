import { appContract } from './app';
import { askContract } from './ask';
import { chatContract } from './chat';
import type { ClientApi, ContractSpec } from './define';
import { libraryContract } from './library';
import { modelsContract } from './models';
import { networkContract } from './network';
import { rewardsContract } from './rewards';
import { settingsContract } from './settings';
import { updatesContract } from './updates';
import { walletContract } from './wallet';

/**
 * Every call and event between the UI and the engine. Both doors (Electron IPC and the local
 * WebSocket) are generated from this object; nothing crosses a process boundary without being
 * checked against it.
 */
export const contract = {
  app: appContract,
  settings: settingsContract,
  models: modelsContract,
  chat: chatContract,
  library: libraryContract,
  network: networkContract,
  rewards: rewardsContract,
  ask: askContract,
  updates: updatesContract,
  wallet: walletContract,
} as const satisfies ContractSpec;

export type Contract = typeof contract;
export type HearthApi = ClientApi<Contract>;

export * from './define';
export type { AppInfo, Notice } from './app';
export type { UpdateState, UpdateStatus } from './updates';
