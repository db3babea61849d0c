// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test only: a malicious token that, on a transfer out of the escrow, calls back into
/// the escrow with calldata set by the test (for example redeeming the same cheque again).
/// The callback's result is recorded so the test can see that it was refused.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public callback;
    bool public attempted;
    bool public callbackSucceeded;
    bytes public callbackResult;

    constructor(uint256 initialSupply) ERC20("Reentrant Token", "REENTER") {
        _mint(msg.sender, initialSupply);
    }

    function arm(address target_, bytes calldata callback_) external {
        target = target_;
        callback = callback_;
        attempted = false;
    }

    function transfer(address to, uint256 amount) public override returns (bool) {
        bool ok = super.transfer(to, amount);
        if (msg.sender == target && !attempted && callback.length > 0) {
            attempted = true;
            (callbackSucceeded, callbackResult) = target.call(callback);
        }
        return ok;
    }
}
