import { randomBytes, randomInt } from 'node:crypto';
import { peerIdFromString } from '@libp2p/peer-id';
import type { LocalAccount } from 'viem';
import type { Logger } from '../../log';
import type { Ledger, LedgerEntry } from '../ledger';
import type { HearthLibp2p } from '../node/create-node';
import type { CapacityAnnouncement } from '../protocol/capacity';
import { AuditorMessageSchema, type AuditReportMessage, type AuditRequest } from '../protocol/audit-messages';
import { AUDIT_PROTOCOL } from '../protocol/ids';
import { MessageStream } from '../protocol/message-stream';
import { receiptToJson, verifyWalletBinding, type WalletBinding } from '../receipts';
import type { ReputationBook } from '../reputation';
import { auditTokens, signAuditReceipt } from './audit-receipt';
import { jobPrice } from './price';
import type { SpendingLimit } from './spending-limit';

/** Providers as the directory knows them (requester/provider-directory.ts), as far as auditing needs. */
export interface AuditorSource {
  all(): ReadonlyArray<{ peerId: string; announcement: CapacityAnnouncement }>;
}

export interface RemoteAuditorsInit {
  wallet: LocalAccount;
  /** This node's binding, sent with every audit receipt. */
  binding: WalletBinding;
  ledger: Ledger | null;
  onEntry: (entry: LedgerEntry) => void;
  /** What this requester may still spend (the one its jobs use); an audit past it is not asked for. */
  spending?: SpendingLimit;
  /** Auditors in a timeout or banned here are not asked. */
  reputation: ReputationBook;
  log: Logger;
  /**
   * Longest wait for one auditor's report. Default 30 s: two rounds of two auditors fit the
   * requester's settle deadline and the provider's wait for its receipt (2 min each).
   */
  auditMs?: number;
  /** Random integer in [0, n) choosing the auditor. Default: crypto. */
  randomInt?: (n: number) => number;
}

/** The job to re-score, as the requester holds it, and who must not audit it. */
export interface RemoteAuditJob {
  /** The job's provider: never its own auditor. */
  provider: string;
  /** The provider's wallet, when its binding verified: an auditor paid at it is not a third party. */
  providerWallet?: string;
  /** Auditors already asked about this job (a confirmation goes to someone else). */
  exclude?: readonly string[];
  /** Credits per 1000 tokens the job cost: an auditor asking more is not asked. */
  maxPrice: number;
  request: Omit<AuditRequest, 't' | 'auditId' | 'price'>;
}

/** One third party's report, with the stream kept open until the requester pays or withholds. */
export interface RemoteAudit {
  auditor: string;
  report: AuditReportMessage;
  /** Sends the audit's receipt (recorded as spent) or `withheld` with the reason, then closes. */
  settle(pay: boolean, reason?: string): Promise<void>;
}

/**
 * The requester's side of third-party audits: picks, with a crypto random draw, a provider that
 * announces the job's model and is not the job's provider (preferring one on another IP), asks it
 * over `/hearth/audit/1.0.0` to re-score the job, and pays it with a small receipt
 * (`auditTokens`) through the same ledger as jobs.
 */
export class RemoteAuditors {
  private _node: HearthLibp2p | null = null;
  private _source: AuditorSource | null = null;

  constructor(private readonly _init: RemoteAuditorsInit) {}

  /** Called by the running network: where auditors are found and dialled. */
  attach(node: HearthLibp2p, source: AuditorSource): void {
    this._node = node;
    this._source = source;
  }

  detach(): void {
    this._node = null;
    this._source = null;
  }

  /** Third parties that could audit this job, preferred ones first (see the class comment). */
  candidates(job: RemoteAuditJob): string[] {
    const node = this._node;
    const all = this._source?.all() ?? [];
    if (!node) return [];
    const self = node.peerId.toString();
    const providerHosts = hosts(all.find((p) => p.peerId === job.provider)?.announcement.addrs ?? []);
    const eligible = all.filter(
      (p) =>
        p.peerId !== job.provider &&
        p.peerId !== self &&
        !job.exclude?.includes(p.peerId) &&
        p.announcement.models.some((m) => m.sha256 === job.request.model) &&
        p.announcement.price <= job.maxPrice &&
        this._init.reputation.isAvailable(p.peerId),
    );
    const elsewhere = eligible.filter((p) => ![...hosts(p.announcement.addrs)].some((h) => providerHosts.has(h)));
    const pool = (elsewhere.length > 0 ? elsewhere : eligible).map((p) => p.peerId);
    // A crypto random order: a provider cannot know (or pick) who will audit it.
    const draw = this._init.randomInt ?? ((n: number) => randomInt(n));
    for (let i = pool.length - 1; i > 0; i--) {
      const j = draw(i + 1);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool;
  }

  /**
   * Asks third parties in random order until one reports (at most 2 asked), or returns why none
   * did: the caller then treats the job as `unavailable`, never as an error.
   */
  async audit(
    job: RemoteAuditJob,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<RemoteAudit | { unavailable: string }> {
    const candidates = this.candidates(job).slice(0, 2);
    if (candidates.length === 0) return { unavailable: 'No third provider serving the model could audit the job.' };
    const reasons: string[] = [];
    for (const auditor of candidates) {
      if (signal?.aborted) break;
      try {
        return await this._ask(auditor, job, signal);
      } catch (error) {
        reasons.push(`${auditor.slice(-8)}: ${(error as Error).message}`);
        this._init.log.info({ event: 'network-remote-audit-failed', auditor, reason: (error as Error).message });
      }
    }
    return { unavailable: `No third-party audit came back (${reasons.join('; ')}).`.slice(0, 500) };
  }

  private async _ask(auditor: string, job: RemoteAuditJob, signal: AbortSignal | undefined): Promise<RemoteAudit> {
    const node = this._node;
    if (!node) throw new Error('the network is stopped');
    const price = this._source?.all().find((p) => p.peerId === auditor)?.announcement.price ?? 0;
    const request: AuditRequest = {
      t: 'audit',
      auditId: `audit-${randomBytes(12).toString('base64url')}`,
      price,
      ...job.request,
    };
    const cost = jobPrice(price, auditTokens(request));
    // Throws SpendLimitError: then no audit is bought, and the job is `unavailable`.
    const release = this._init.spending?.reserve(cost) ?? (() => undefined);
    const timeout = AbortSignal.timeout(this._init.auditMs ?? 30_000);
    const stream = await node
      .dialProtocol(peerIdFromString(auditor), AUDIT_PROTOCOL, {
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      })
      .catch((error: unknown) => {
        release(0n);
        throw error;
      });
    const messages = new MessageStream(stream, AuditorMessageSchema);
    try {
      await messages.write(request, 10_000);
      const answer = await messages.read(this._init.auditMs ?? 30_000, signal);
      if (answer.t === 'audit-refuse') throw new Error(`refused (${answer.reason}): ${answer.message}`);
      if (answer.auditId !== request.auditId) throw new Error('the report names another audit');
      const binding = answer.binding as WalletBinding | undefined;
      if (binding && (binding.peerId !== auditor || !(await verifyWalletBinding(binding)))) {
        throw new Error('its wallet binding does not verify');
      }
      // Same wallet as the provider: the same owner, not a third party.
      if (binding && job.providerWallet && binding.wallet.toLowerCase() === job.providerWallet.toLowerCase()) {
        await messages
          .write(
            {
              t: 'withheld',
              jobId: request.auditId,
              reason: "The auditor is paid at the provider's own wallet.",
              audited: false,
            },
            5_000,
          )
          // The auditor may be gone; its pay stays valid in our ledger either way.
          .catch(() => undefined);
        throw new Error("it is paid at the provider's own wallet");
      }
      return {
        auditor,
        report: answer,
        settle: async (pay, reason) => {
          try {
            await this._settle(messages, request, binding, pay, reason);
          } finally {
            release(pay && binding ? cost : 0n);
            await messages.close();
          }
        },
      };
    } catch (error) {
      release(0n);
      messages.abort((error as Error).message);
      throw error;
    }
  }

  private async _settle(
    messages: MessageStream<typeof AuditorMessageSchema>,
    request: AuditRequest,
    binding: WalletBinding | undefined,
    pay: boolean,
    reason: string | undefined,
  ): Promise<void> {
    if (!pay || !binding) {
      await messages.write(
        {
          t: 'withheld',
          jobId: request.auditId,
          reason: (reason ?? 'The audit was not paid.').slice(0, 500),
          audited: false,
        },
        5_000,
      );
      return;
    }
    const signed = await signAuditReceipt(this._init.wallet, {
      auditId: request.auditId,
      auditorWallet: binding.wallet,
      model: request.model,
      tokens: auditTokens(request),
      price: request.price,
    });
    if (this._init.ledger) this._init.onEntry(await this._init.ledger.appendReceipt('spent', signed));
    await messages.write(
      {
        t: 'receipt',
        receipt: receiptToJson(signed.receipt),
        signature: signed.signature,
        binding: this._init.binding,
      },
      5_000,
    );
  }
}

/** The IP addresses in a list of multiaddrs. */
function hosts(addrs: readonly string[]): Set<string> {
  return new Set(
    addrs.map((a) => /^\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)/.exec(a)?.[1]).filter((h): h is string => !!h),
  );
}
