// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title HearthCredit: a plain ERC-20 for tests and private swarms.
/// @notice HearthEscrow works with any ERC-20; this one exists so a test chain or a private
/// group has a token without depending on anyone else's. Only the owner (the deployer) mints.
contract HearthCredit is ERC20, Ownable {
    constructor(uint256 initialSupply) ERC20("Hearth Credit", "HCR") Ownable(msg.sender) {
        _mint(msg.sender, initialSupply);
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
