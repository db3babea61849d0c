// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test only: a token whose transfers can be switched to return false without moving
/// anything (as some old tokens do), to prove the escrow never books a transfer that failed.
contract FalseReturningToken is ERC20 {
    bool public failing;

    constructor(uint256 initialSupply) ERC20("False Token", "FALSE") {
        _mint(msg.sender, initialSupply);
    }

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function transfer(address to, uint256 amount) public override returns (bool) {
        if (failing) return false;
        return super.transfer(to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        if (failing) return false;
        return super.transferFrom(from, to, amount);
    }
}
