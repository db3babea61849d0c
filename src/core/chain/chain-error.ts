import { BaseError, ContractFunctionRevertedError } from 'viem';

/** viem's errors carry pages of detail; the user sees one line: the contract's reason when it reverted. */
export async function explainChainError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    const reverted = error.walk(
      (e) => e instanceof ContractFunctionRevertedError,
    ) as ContractFunctionRevertedError | null;
    const reason = reverted?.data
      ? `${reverted.data.errorName}(${(reverted.data.args ?? []).map(String).join(', ')})`
      : error.shortMessage;
    throw new Error(`The chain refused: ${reason}. ${HINTS[reverted?.data?.errorName ?? ''] ?? ''}`.trim(), {
      cause: error,
    });
  }
}

const HINTS: Record<string, string> = {
  WithdrawalNotReady: 'The withdrawal delay has not passed yet; try again after the time shown under Withdrawal.',
  NoWithdrawalRequested: 'Request a withdrawal first.',
  InsufficientDeposit: 'Request at most what the deposit holds.',
  ERC20InsufficientBalance: 'This wallet holds fewer tokens than that.',
};
