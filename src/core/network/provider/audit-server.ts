import type { Logger } from '../../log';
import type { TokenAuditor } from '../audit';
import type { HearthLibp2p } from '../node/create-node';
import {
  AuditRequesterMessageSchema,
  type AuditRequesterMessage,
  MAX_AUDIT_CHARS,
  type AuditRefuseReason,
  type AuditReportMessage,
  type AuditRequest,
} from '../protocol/audit-messages';
import { AUDIT_PROTOCOL } from '../protocol/ids';
import type { MessageStream } from '../protocol/message-stream';
import { ProtocolError } from '../protocol/messages';
import { auditTokens } from '../rewards/audit-receipt';
import type { UnpaidAuditsJson } from '../rewards/batch-rules';
import type { ReceiptCollector, ServedJob } from '../rewards/receipt-collector';
import type { ContributionVerdict } from './contribution-policy';
import { inboundHandler, REQUEST_DEADLINE_MS } from './inbound-handler';

type AuditStream = MessageStream<typeof AuditRequesterMessageSchema>;

export interface AuditServerTimeouts {
  /** A requester must send its request this soon after opening a stream. Default 5 s. */
  requestMs: number;
  writeMs: number;
  /** Longest scoring pass. Default 2 min. */
  auditMs: number;
  /** How long after the report the requester has to send the audit's receipt. Default 2 min. */
  receiptMs: number;
}

export interface AuditServerInit {
  /** The models this node serves: it audits only those. */
  models: () => readonly { sha256: string }[];
  /** The node's own auditor for a model (rewards/model-auditors.ts). */
  auditorFor: (sha256: string) => Promise<TokenAuditor | null>;
  /** The same contribution verdict as jobs: audits run only while it is `ready`, and stop when it is not. */
  verdict: () => ContributionVerdict;
  /** Credits per 1000 audit tokens asked (the provider's job price). Default 0. */
  price?: () => number;
  /** Takes the audits' receipts; absent: audits are served unpaid. */
  receipts?: ReceiptCollector;
  /** Audits scored at once. Default 1 (the auditor uses one CPU thread). */
  maxConcurrentAudits?: number;
  onStrike: (peer: string) => void;
  log: Logger;
  timeouts?: Partial<AuditServerTimeouts>;
  /** Unpaid audits per requester saved by an earlier run, and where changes go (NodeRewards.unpaidAudits). */
  unpaid?: { saved: UnpaidAuditsJson; onChange: (state: UnpaidAuditsJson) => void };
}

const DEFAULT_TIMEOUTS: AuditServerTimeouts = {
  requestMs: REQUEST_DEADLINE_MS,
  writeMs: 10_000,
  auditMs: 120_000,
  receiptMs: 120_000,
};
/** How often a running audit re-reads the contribution verdict (the owner came back: stop). */
const VERDICT_POLL_MS = 500;
/** With receipts: audits one requester may leave unpaid before it is refused (as jobs: 3). */
export const MAX_UNPAID_AUDITS = 3;

/**
 * Serves `/hearth/audit/1.0.0`: re-scores a job another provider ran, teacher-forced on this
 * node's copy of the model (never generating), under the same contribution rules as jobs, and
 * returns the report the requester's own audit would have made. The request carries only the
 * job, never who ran it.
 */
export class AuditServer {
  private readonly _running = new Set<AbortController>();
  /**
   * Audits reported and not (yet) paid, per requester peer id; saved through `unpaid.onChange`
   * (as unpaid jobs are), so a restart does not wipe a requester's debt.
   */
  private readonly _unpaid = new Map<string, number>();
  private readonly _timeouts: AuditServerTimeouts;
  private _started = false;
  /** Audits served (reports sent), for tests and status. */
  served = 0;

  constructor(
    private readonly _node: HearthLibp2p,
    private readonly _init: AuditServerInit,
  ) {
    this._timeouts = { ...DEFAULT_TIMEOUTS, ..._init.timeouts };
    for (const [peer, count] of Object.entries(_init.unpaid?.saved ?? {})) if (count > 0) this._unpaid.set(peer, count);
  }

  /** Audits this requester has not paid for (reported, receipt not in). */
  unpaidAudits(requester: string): number {
    return this._unpaid.get(requester) ?? 0;
  }

  private _setUnpaid(peer: string, count: number): void {
    if (count > 0) this._unpaid.set(peer, count);
    else this._unpaid.delete(peer);
    this._init.unpaid?.onChange(Object.fromEntries(this._unpaid));
  }

  private get _limit(): number {
    return this._init.maxConcurrentAudits ?? 1;
  }

  async start(): Promise<void> {
    if (this._started) return;
    this._started = true;
    const maxStreams = this._limit + 4;
    const serve = inboundHandler(
      AUDIT_PROTOCOL,
      {
        schema: AuditRequesterMessageSchema,
        maxStreamsPerPeer: maxStreams,
        requestMs: this._timeouts.requestMs,
        onBadRequest: (peer, reason) => {
          this._init.log.warn({ event: 'network-bad-audit-request', peer, reason });
          this._init.onStrike(peer);
        },
        log: this._init.log,
      },
      (first, messages, peer) => this._serve(first, messages, peer),
    );
    await this._node.handle(AUDIT_PROTOCOL, serve, {
      maxInboundStreams: maxStreams,
      maxOutboundStreams: 1,
    });
  }

  async stop(): Promise<void> {
    if (!this._started) return;
    this._started = false;
    for (const audit of this._running) audit.abort(new Error('The provider stopped.'));
    // A node that is stopping may have dropped the handler already.
    await this._node.unhandle(AUDIT_PROTOCOL).catch(() => undefined);
  }

  private async _serve(first: AuditRequesterMessage, messages: AuditStream, peer: string): Promise<void> {
    if (first.t !== 'audit') throw new ProtocolError('The first message must be an audit request.');
    const request = first;
    const refuse = async (refusal: { reason: AuditRefuseReason; message: string }) => {
      await messages
        .write({ t: 'audit-refuse', auditId: request.auditId, ...refusal }, this._timeouts.writeMs)
        // A requester that left does not need the refusal; the stream closes next.
        .catch(() => undefined);
      await messages.close();
    };
    const refusal = this._refusal(request, peer);
    if (refusal) return refuse(refusal);
    const report = await this._audit(request);
    if ('reason' in report) return refuse(report);
    try {
      await messages.write(report, this._timeouts.writeMs);
      this.served++;
      await this._collect(messages, request, peer);
    } catch (error) {
      messages.abort((error as Error).message);
    }
  }

  /** Why this audit is refused before any work, or null. */
  private _refusal(request: AuditRequest, peer: string): { reason: AuditRefuseReason; message: string } | null {
    const verdict = this._init.verdict();
    if (verdict.state !== 'ready') return { reason: 'not-now', message: verdict.reason.slice(0, 500) };
    const unpaid = this._unpaid.get(peer) ?? 0;
    if (this._init.receipts && unpaid >= MAX_UNPAID_AUDITS) {
      return {
        reason: 'unpaid',
        message: `This auditor re-scored ${unpaid} jobs for you that are not paid yet; it audits for you again once their receipts arrive.`,
      };
    }
    if (!this._init.models().some((m) => m.sha256 === request.model)) {
      return { reason: 'unknown-model', message: 'This provider does not serve that model, so it does not audit it.' };
    }
    const asking = this._init.price?.() ?? 0;
    if (request.price < asking) {
      return {
        reason: 'price-too-low',
        message: `This auditor asks ${asking} credits per 1000 tokens; the request offered ${request.price}.`,
      };
    }
    if (request.prompt.length + request.text.length > MAX_AUDIT_CHARS) {
      return {
        reason: 'too-long',
        message: `The prompt and answer together are longer than the ${MAX_AUDIT_CHARS} characters this auditor re-scores.`,
      };
    }
    if (this._running.size >= this._limit)
      return { reason: 'at-capacity', message: 'This auditor is busy with other audits.' };
    return null;
  }

  /** Scores the job; a report, or why it could not (paused, its own limits). */
  private async _audit(
    request: AuditRequest,
  ): Promise<AuditReportMessage | { reason: AuditRefuseReason; message: string }> {
    const controller = new AbortController();
    this._running.add(controller);
    const deadline = setTimeout(() => controller.abort(new Error('The audit took too long.')), this._timeouts.auditMs);
    const watch = setInterval(() => {
      const verdict = this._init.verdict();
      if (verdict.state !== 'ready') controller.abort(new Error(verdict.reason || 'Contribution paused.'));
    }, VERDICT_POLL_MS);
    try {
      const auditor = await this._init.auditorFor(request.model);
      if (!auditor) return { reason: 'unknown-model', message: 'This provider has no loadable copy of that model.' };
      const report = await auditor.audit(
        {
          prompt: request.prompt,
          output: { tokens: request.tokens },
          sampling: { temperature: request.temperature, topP: request.topP },
          claim: { requestedModel: request.model, ...request.claim },
        },
        { signal: controller.signal },
      );
      // The ids are what was scored, the text what the requester read: they must be one answer.
      if (
        !report.failures.some((f) => f.rule === 'invalid-token') &&
        auditor.detokenize(request.tokens) !== request.text
      ) {
        report.failures.push({
          rule: 'text-mismatch',
          detail: 'The streamed text is not what the returned tokens spell.',
        });
        report.passed = false;
      }
      // As the local audit: a long job's window is not evidence of a replay, so it counts for nothing.
      const logProbs = report.scored.logProbs;
      const binding = this._init.receipts?.binding;
      return {
        t: 'audit-report',
        auditId: request.auditId,
        passed: report.passed,
        failures: report.failures.slice(0, 16).map((f) => ({ rule: f.rule, detail: f.detail.slice(0, 500) })),
        logProbSum: Math.max(
          -1e9,
          Math.min(
            0,
            logProbs.reduce((sum, lp) => sum + lp, 0),
          ),
        ),
        scoredTokens: logProbs.length,
        window: report.scored.window !== undefined,
        auditMs: Math.round(report.auditMs),
        ...(binding ? { binding } : {}),
      };
    } catch (error) {
      const message = controller.signal.aborted
        ? (controller.signal.reason as Error).message
        : (error as Error).message;
      this._init.log.info({ event: 'network-audit-not-served', reason: message });
      return { reason: 'could-not-audit', message: `The auditor could not score the job: ${message}`.slice(0, 500) };
    } finally {
      clearTimeout(deadline);
      clearInterval(watch);
      this._running.delete(controller);
    }
  }

  /** After the report: the audit's receipt (or `withheld`) through the usual receipt path. */
  private async _collect(
    messages: AuditStream,
    request: AuditRequest,
    peer: string,
  ): Promise<void> {
    const receipts = this._init.receipts;
    if (!receipts) return;
    const served: ServedJob = {
      jobId: request.auditId,
      requester: peer,
      model: request.model,
      price: request.price,
      outputTokens: auditTokens(request),
    };
    this._setUnpaid(peer, this.unpaidAudits(peer) + 1);
    await receipts.served(served);
    // A requester that goes away without paying is counted as unpaid, not struck: only a
    // message out of turn breaks the protocol.
    const next = await messages.read(this._timeouts.receiptMs).catch(() => null);
    if (next?.t === 'audit') this._init.onStrike(peer);
    const settle = next && next.t !== 'audit' ? next : null;
    if (await receipts.settle(served, settle)) this._setUnpaid(peer, this.unpaidAudits(peer) - 1);
  }
}
