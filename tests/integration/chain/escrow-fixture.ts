import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestClient, erc20Abi, http, type Address, type Hex, type LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ChainClient } from '../../../src/core/chain/chain-client';
import { deployHearthCredit, deployHearthEscrow } from '../../../src/core/chain/deploy';
import { Escrow } from '../../../src/core/chain/escrow';
import { ANVIL_KEYS, type Anvil } from '../../helpers/anvil';

export const TOKEN = 10n ** 18n;

export interface ContractArtifactJson {
  abi: readonly unknown[];
  bytecode: Hex;
}

/** A compiled contract from contracts/artifacts (mocks included). */
export function artifact(name: string): ContractArtifactJson {
  return JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../contracts/artifacts', `${name}.json`), 'utf8'),
  ) as ContractArtifactJson;
}

export const [deployerKey, providerAKey, providerBKey, strangerKey] = ANVIL_KEYS;
export const requester = privateKeyToAccount(deployerKey);
export const providerA = privateKeyToAccount(providerAKey);
export const providerB = privateKeyToAccount(providerBKey);
export const stranger = privateKeyToAccount(strangerKey);

export interface EscrowFixture {
  client: ChainClient;
  escrow: Escrow;
  token: Address;
  tokenBalance(owner: Address): Promise<bigint>;
  /** Moves the chain's clock forward and mines a block. */
  advance(seconds: number): Promise<void>;
}

/** Deploys `token` (a HearthCredit unless given) and a HearthEscrow with `delay` on the anvil. */
export async function deployEscrow(
  anvil: Anvil,
  options: { delay?: bigint; token?: Address; record?: (body: string) => void } = {},
): Promise<EscrowFixture> {
  const placeholder = {
    rpcUrl: anvil.url,
    chainId: anvil.chainId,
    escrow: requester.address,
    token: requester.address,
  };
  const bootstrap = new ChainClient(placeholder);
  const target = { rpcUrl: anvil.url, chain: bootstrap.chain, deployer: requester };
  const token = options.token ?? (await deployHearthCredit(target, 1_000_000n * TOKEN));
  const escrowAddress = await deployHearthEscrow(target, token, options.delay ?? 86_400n);
  const client = new ChainClient(
    { rpcUrl: anvil.url, chainId: anvil.chainId, escrow: escrowAddress, token },
    options.record ? { record: ({ body }) => options.record!(body) } : {},
  );
  const testClient = createTestClient({ mode: 'anvil', chain: bootstrap.chain, transport: http(anvil.url) });
  return {
    client,
    escrow: new Escrow(client),
    token,
    tokenBalance: (owner) =>
      client.public.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] }),
    advance: async (seconds) => {
      await testClient.increaseTime({ seconds });
      await testClient.mine({ blocks: 1 });
    },
  };
}

/** Deploys a test-only mock token from contracts/artifacts, minting to the deployer. */
export async function deployMock(anvil: Anvil, name: string, supply: bigint): Promise<Address> {
  const client = new ChainClient({
    rpcUrl: anvil.url,
    chainId: anvil.chainId,
    escrow: requester.address,
    token: requester.address,
  });
  const { abi, bytecode } = artifact(name);
  const hash = await client.wallet(requester).deployContract({ abi, bytecode, args: [supply] } as never);
  const receipt = await client.public.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  return receipt.contractAddress!;
}

export async function writeAs(
  fixture: EscrowFixture,
  account: LocalAccount,
  address: Address,
  abi: readonly unknown[],
  functionName: string,
  args: readonly unknown[],
): Promise<void> {
  const hash = await fixture.client.wallet(account).writeContract({ address, abi, functionName, args } as never);
  const receipt = await fixture.client.public.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  if (receipt.status !== 'success') throw new Error(`${functionName} reverted`);
}
