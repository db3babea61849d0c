import {
  createPublicClient,
  createWalletClient,
  http,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
} from 'viem';
import { hearthCreditAbi, hearthCreditBytecode } from './artifacts/hearthCredit';
import { hearthEscrowAbi, hearthEscrowBytecode } from './artifacts/hearthEscrow';

/** HearthEscrow's default withdrawal delay: a day for providers to redeem what they hold. */
export const DEFAULT_WITHDRAWAL_DELAY_SECONDS = 24n * 60n * 60n;

export interface DeployTarget {
  rpcUrl: string;
  chain: Chain;
  deployer: LocalAccount;
}

async function deploy(
  target: DeployTarget,
  abi: readonly unknown[],
  bytecode: Hex,
  args: readonly unknown[],
): Promise<Address> {
  const transport = http(target.rpcUrl);
  const wallet = createWalletClient({ account: target.deployer, chain: target.chain, transport });
  const hash = await wallet.deployContract({ abi, bytecode, args } as never);
  const receipt = await createPublicClient({ chain: target.chain, transport }).waitForTransactionReceipt({
    hash,
    pollingInterval: 50,
  });
  if (!receipt.contractAddress) throw new Error(`Deployment ${hash} created no contract.`);
  return receipt.contractAddress;
}

/** Deploys a HearthCredit token (for tests and private swarms) minting `initialSupply` to the deployer. */
export function deployHearthCredit(target: DeployTarget, initialSupply: bigint): Promise<Address> {
  return deploy(target, hearthCreditAbi, hearthCreditBytecode, [initialSupply]);
}

/** Deploys a HearthEscrow for `token` with the given withdrawal delay. */
export function deployHearthEscrow(
  target: DeployTarget,
  token: Address,
  withdrawalDelaySeconds = DEFAULT_WITHDRAWAL_DELAY_SECONDS,
): Promise<Address> {
  return deploy(target, hearthEscrowAbi, hearthEscrowBytecode, [token, withdrawalDelaySeconds]);
}
