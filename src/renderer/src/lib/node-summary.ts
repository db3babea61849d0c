import type { NetworkStatus } from '../../../shared/contract/network';

/** The node and its contribution read as one thing: a headline and what it means or what to do. */
export interface NodeSummary {
  headline: string;
  detail: string;
  tone: 'off' | 'waiting' | 'active';
}

/**
 * One sentence for the node's state. "Ready to serve" beside "Node: Not running" said two
 * things at once; here a stopped node is never ready, and each state names the next step.
 */
export function nodeSummary(status: NetworkStatus): NodeSummary {
  const { running, contribution } = status;
  if (!running) {
    return contribution.state === 'off'
      ? {
          headline: 'Off',
          detail: 'Contribute is off and the node is stopped. Turn Contribute on below to share this computer.',
          tone: 'off',
        }
      : {
          headline: 'Not sharing: the node is stopped',
          detail:
            'Contribute is on, but the node is not running; start it to share this computer.' +
            (contribution.state === 'paused' ? ` Even then it waits: ${contribution.reason}` : ''),
          tone: 'waiting',
        };
  }
  if (contribution.state === 'off') {
    return {
      headline: 'Node running, not sharing',
      detail: 'This node can use network models; turn Contribute on below to run other people’s jobs too.',
      tone: 'waiting',
    };
  }
  if (contribution.state === 'paused') return { headline: 'Paused', detail: contribution.reason, tone: 'waiting' };
  if (contribution.state === 'starting')
    return { headline: 'Starting soon', detail: contribution.reason, tone: 'waiting' };
  if (status.offeredModels.length === 0) {
    return {
      headline: 'Running, nothing offered',
      detail: 'No model is offered, so no jobs can come in. Tick a model under "Models to offer" below.',
      tone: 'waiting',
    };
  }
  const names = status.offeredModels.map((m) => m.name).join(', ');
  return status.peers === 0
    ? {
        headline: 'Ready, waiting for peers',
        detail: `Offering ${names}; no other Hearth node is connected yet.`,
        tone: 'waiting',
      }
    : {
        headline: 'Sharing',
        detail: `Offering ${names} to ${status.peers} connected ${status.peers === 1 ? 'peer' : 'peers'}.`,
        tone: 'active',
      };
}

/** The address another Hearth can join through: a non-loopback, non-relayed one first, with the peer id. */
export function shareableAddress(status: NetworkStatus): string | null {
  if (!status.running || !status.peerId) return null;
  const direct = status.addresses.filter((a) => !a.includes('/p2p-circuit'));
  const outward = direct.find((a) => !/\/ip4\/127\.|\/ip6\/::1\//.test(a)) ?? direct[0] ?? status.addresses[0];
  if (!outward) return null;
  return outward.includes('/p2p/') ? outward : `${outward}/p2p/${status.peerId}`;
}
