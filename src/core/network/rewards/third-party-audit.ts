import type { Logger } from '../../log';
import type { AuditFailure, ReplayGuard } from '../audit';
import type { JobRequest, JobSummary } from '../protocol/messages';
import type { ReputationBook } from '../reputation';
import type { RemoteAuditJob, RemoteAuditors } from './remote-auditors';
import type { AuditReportMessage } from '../protocol/audit-messages';

/** ln(1e-6), as in audit-answer.ts: an answer less likely than this is not returned twice by chance. */
const REPEAT_BY_CHANCE_LOG_PROB = Math.log(1e-6);

export interface ThirdPartyVerdict {
  audit: 'passed' | 'failed' | 'unavailable';
  failures: AuditFailure[];
  note: string;
  /** The third parties asked, in order. */
  auditors: string[];
  /**
   * A failure only one third party reported (no second one could be asked): the job is not paid,
   * but the provider gets a short timeout, never a step toward a ban.
   */
  unconfirmed?: boolean;
}

export interface ThirdPartyAuditDeps {
  remote: RemoteAuditors;
  replayGuard: ReplayGuard;
  reputation: ReputationBook;
  log: Logger;
}

/**
 * A sampled job whose model this node does not hold, re-scored by third parties. A pass is
 * taken as is. A failure is sent to a second third party: two failures count like a failed
 * local audit; a second auditor that passes the job contradicts the first, which then loses
 * standing here (a failed audit in its own record) and is not paid, and the job is paid
 * unaudited. With no second auditor, a single failure withholds this job's payment and counts
 * as a timeout only. See docs/NETWORK.md (Audits for everyone) for what this costs and its limits.
 */
export async function thirdPartyAudit(
  deps: ThirdPartyAuditDeps,
  job: { provider: string; providerWallet?: string; request: JobRequest; text: string; summary: JobSummary },
  signal: AbortSignal | undefined,
): Promise<ThirdPartyVerdict> {
  const { provider, request, summary } = job;
  const asked: RemoteAuditJob = {
    provider,
    providerWallet: job.providerWallet,
    maxPrice: request.price,
    request: {
      model: request.model,
      prompt: request.prompt,
      temperature: request.temperature,
      topP: request.topP,
      text: job.text,
      tokens: summary.tokens,
      claim: {
        declaredModel: summary.model,
        stopReason: summary.stopReason,
        maxTokens: request.maxTokens,
        promptTokens: summary.promptTokens,
        outputTokens: summary.completionTokens,
      },
    },
  };
  const first = await deps.remote.audit(asked, { signal });
  if ('unavailable' in first) {
    deps.log.info({ event: 'network-third-party-audit', provider, auditor: null, reason: first.unavailable });
    return { audit: 'unavailable', failures: [], note: first.unavailable, auditors: [] };
  }
  // The replay guard is this requester's own memory; the auditor's figures say whether a repeat
  // could be chance (as in audit-answer.ts).
  const replayed = deps.replayGuard.isReplay(provider, request.prompt, job.text, first.report.scoredTokens);
  const judge = (report: AuditReportMessage): AuditFailure[] => {
    const failures = report.failures.map((f) => ({ ...f }));
    const telling = request.temperature > 0 && report.logProbSum < REPEAT_BY_CHANCE_LOG_PROB;
    if (replayed && telling)
      failures.push({ rule: 'replay', detail: 'The answer was already returned for a different prompt.' });
    if (!report.passed && failures.length === 0)
      failures.push({ rule: 'atypical', detail: 'The auditor failed the job.' });
    return failures;
  };
  const firstFailures = judge(first.report);
  deps.log.info({
    event: 'network-third-party-audit',
    provider,
    auditor: first.auditor,
    passed: firstFailures.length === 0,
  });
  // Paying an auditor (`settle`) is best effort here and below: its receipt is in our ledger,
  // an auditor that left cannot take it, and the verdict stands either way.
  if (firstFailures.length === 0) {
    await first.settle(true).catch(() => undefined);
    return {
      audit: 'passed',
      failures: [],
      note: `Audited by third party ${first.auditor}.`,
      auditors: [first.auditor],
    };
  }
  const second = await deps.remote.audit({ ...asked, exclude: [first.auditor] }, { signal });
  if ('unavailable' in second) {
    await first.settle(true).catch(() => undefined);
    return {
      audit: 'failed',
      failures: firstFailures,
      note: `Failed by third party ${first.auditor}; no second auditor could confirm, so it counts as a timeout, not toward a ban.`,
      auditors: [first.auditor],
      unconfirmed: true,
    };
  }
  const secondFailures = judge(second.report);
  deps.log.info({
    event: 'network-third-party-audit',
    provider,
    auditor: second.auditor,
    passed: secondFailures.length === 0,
    confirming: first.auditor,
  });
  await second.settle(true).catch(() => undefined);
  if (secondFailures.length > 0) {
    await first.settle(true).catch(() => undefined);
    return {
      audit: 'failed',
      failures: firstFailures,
      note: `Failed by third parties ${first.auditor} and ${second.auditor}.`,
      auditors: [first.auditor, second.auditor],
    };
  }
  // Contradicted: the first auditor failed honest-looking work. It loses standing (and its pay).
  deps.reputation.recordAudit(first.auditor, false);
  deps.log.warn({ event: 'network-auditor-contradicted', auditor: first.auditor, by: second.auditor, provider });
  await first.settle(false, `Another auditor passed the job this audit failed.`).catch(() => undefined);
  return {
    audit: 'unavailable',
    failures: [],
    note: `Third-party auditors disagreed (${first.auditor} failed the job, ${second.auditor} passed it): paid unaudited, and ${first.auditor} lost standing here.`,
    auditors: [first.auditor, second.auditor],
  };
}
