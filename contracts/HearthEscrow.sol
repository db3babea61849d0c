// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title HearthEscrow: requester deposits paid out to providers by cumulative cheques.
/// @notice A requester deposits an ERC-20 here and, with every job receipt, signs an EIP-712
/// cheque for the cumulative amount it owes one provider. Redeeming pays the difference to
/// what that (requester, provider) pair was already paid, so an older cheque is worth nothing
/// and no cheque can be replayed. Withdrawing a deposit takes two steps with a delay, so
/// providers can redeem what they hold before the funds leave. Tokens only ever move from a
/// requester's deposit to a provider; the contract mints nothing and verifies no inference.
contract HearthEscrow is EIP712, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant CHEQUE_TYPEHASH =
        keccak256("Cheque(address requester,address provider,uint256 cumulative)");

    /// @notice One cheque in a batch redemption.
    struct Cheque {
        address requester;
        address provider;
        uint256 cumulative;
        bytes signature;
    }

    /// @notice A requested withdrawal: how much, and when it may be taken.
    struct Withdrawal {
        uint256 amount;
        uint256 readyAt;
    }

    IERC20 public immutable token;
    uint256 public immutable withdrawalDelay;

    /// @notice What each requester has on deposit (what cheques can still be paid from).
    mapping(address requester => uint256) public deposits;
    /// @notice The cumulative amount already paid for each (requester, provider) pair.
    mapping(address requester => mapping(address provider => uint256)) public paid;
    /// @notice A requester's pending withdrawal, if any.
    mapping(address requester => Withdrawal) public withdrawals;

    event Deposited(address indexed requester, uint256 amount, uint256 balance);
    event WithdrawalRequested(address indexed requester, uint256 amount, uint256 readyAt);
    event WithdrawalCancelled(address indexed requester);
    event Withdrawn(address indexed requester, uint256 amount);
    event Redeemed(address indexed requester, address indexed provider, uint256 cumulative, uint256 payment);

    error ZeroAmount();
    error ZeroAddress();
    error InsufficientDeposit(uint256 requested, uint256 available);
    error NoWithdrawalRequested();
    error WithdrawalNotReady(uint256 readyAt);
    error InvalidSignature(address requester, address provider);
    error NothingToRedeem(address requester, address provider, uint256 cumulative, uint256 alreadyPaid);
    error EmptyBatch();

    constructor(IERC20 token_, uint256 withdrawalDelay_) EIP712("HearthEscrow", "1") {
        if (address(token_) == address(0)) revert ZeroAddress();
        token = token_;
        withdrawalDelay = withdrawalDelay_;
    }

    /// @notice Deposit `amount` of the token (approve this contract first). The deposit is
    /// credited with what actually arrived, so a token that takes a fee cannot inflate it.
    function deposit(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
        uint256 balance = deposits[msg.sender] + received;
        deposits[msg.sender] = balance;
        emit Deposited(msg.sender, received, balance);
    }

    /// @notice Start the withdrawal clock for `amount`. Replaces any earlier request and
    /// restarts the delay. The funds stay redeemable by providers until they are withdrawn.
    function requestWithdrawal(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 available = deposits[msg.sender];
        if (amount > available) revert InsufficientDeposit(amount, available);
        uint256 readyAt = block.timestamp + withdrawalDelay;
        withdrawals[msg.sender] = Withdrawal(amount, readyAt);
        emit WithdrawalRequested(msg.sender, amount, readyAt);
    }

    /// @notice Drop a pending withdrawal request.
    function cancelWithdrawal() external {
        if (withdrawals[msg.sender].amount == 0) revert NoWithdrawalRequested();
        delete withdrawals[msg.sender];
        emit WithdrawalCancelled(msg.sender);
    }

    /// @notice Take a requested withdrawal once its delay has passed. Pays the requested
    /// amount or what is left of the deposit after redemptions, whichever is less.
    function withdraw() external nonReentrant returns (uint256 amount) {
        Withdrawal memory pending = withdrawals[msg.sender];
        if (pending.amount == 0) revert NoWithdrawalRequested();
        if (block.timestamp < pending.readyAt) revert WithdrawalNotReady(pending.readyAt);
        uint256 available = deposits[msg.sender];
        amount = pending.amount < available ? pending.amount : available;
        delete withdrawals[msg.sender];
        deposits[msg.sender] = available - amount;
        emit Withdrawn(msg.sender, amount);
        if (amount > 0) token.safeTransfer(msg.sender, amount);
    }

    /// @notice Redeem the latest cheque of one pair. Anyone may submit it; the payment always
    /// goes to the provider named in the cheque. Reverts when nothing can be paid.
    function redeem(address requester, address provider, uint256 cumulative, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 payment)
    {
        payment = _settle(requester, provider, cumulative, signature);
        if (payment == 0) revert NothingToRedeem(requester, provider, cumulative, paid[requester][provider]);
        token.safeTransfer(provider, payment);
    }

    /// @notice Redeem many cheques in one transaction. A cheque with nothing left to pay (already
    /// redeemed, or its requester's deposit is empty) is skipped; a bad signature reverts all.
    /// Payments to the same provider are summed into one transfer when the cheques are adjacent.
    function redeemBatch(Cheque[] calldata cheques) external nonReentrant returns (uint256 total) {
        uint256 count = cheques.length;
        if (count == 0) revert EmptyBatch();
        address pendingProvider;
        uint256 pendingAmount;
        for (uint256 i = 0; i < count; ++i) {
            Cheque calldata cheque = cheques[i];
            uint256 payment = _settle(cheque.requester, cheque.provider, cheque.cumulative, cheque.signature);
            if (payment == 0) continue;
            total += payment;
            if (cheque.provider != pendingProvider) {
                if (pendingAmount > 0) token.safeTransfer(pendingProvider, pendingAmount);
                pendingProvider = cheque.provider;
                pendingAmount = 0;
            }
            pendingAmount += payment;
        }
        if (pendingAmount > 0) token.safeTransfer(pendingProvider, pendingAmount);
    }

    /// @notice The EIP-712 digest a requester signs for a cheque (for off-chain checks).
    function chequeDigest(address requester, address provider, uint256 cumulative) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CHEQUE_TYPEHASH, requester, provider, cumulative)));
    }

    /// @dev Checks the signature and books the payment; the caller moves the tokens afterwards
    /// (checks, effects, then interactions).
    function _settle(address requester, address provider, uint256 cumulative, bytes calldata signature)
        private
        returns (uint256 payment)
    {
        if (provider == address(0)) revert ZeroAddress();
        address signer = ECDSA.recover(chequeDigest(requester, provider, cumulative), signature);
        if (signer != requester) revert InvalidSignature(requester, provider);
        uint256 alreadyPaid = paid[requester][provider];
        if (cumulative <= alreadyPaid) return 0;
        uint256 owed = cumulative - alreadyPaid;
        uint256 available = deposits[requester];
        payment = owed < available ? owed : available;
        if (payment == 0) return 0;
        paid[requester][provider] = alreadyPaid + payment;
        deposits[requester] = available - payment;
        emit Redeemed(requester, provider, cumulative, payment);
    }
}
