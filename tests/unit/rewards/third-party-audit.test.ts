import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../../src/core/network/audit';
import type { AuditReportMessage } from '../../../src/core/network/protocol/audit-messages';
import type { JobRequest, JobSummary } from '../../../src/core/network/protocol/messages';
import { ReputationBook } from '../../../src/core/network/reputation';
import type { RemoteAuditJob, RemoteAuditors } from '../../../src/core/network/rewards/remote-auditors';
import { thirdPartyAudit } from '../../../src/core/network/rewards/third-party-audit';

/**
 * The rule that bounds a lying auditor, at the RemoteAuditors seam (the loopback test in
 * tests/integration/rewards/third-party-audit.test.ts runs the real protocol): a failure is
 * confirmed by a second third party; a contradicted auditor loses standing and its pay.
 */
const MODEL = 'ab'.repeat(32);
const request: JobRequest = {
  t: 'request',
  jobId: 'job-1',
  model: MODEL,
  prompt: 'Once upon a time',
  maxTokens: 4,
  temperature: 0,
  topP: 1,
  seed: 1,
  price: 1,
  requester: 'me',
};
const summary: JobSummary = {
  promptTokens: 5,
  completionTokens: 2,
  queueMs: 0,
  generationMs: 1,
  stopReason: 'eos',
  tokens: [10, 11],
  model: MODEL,
};

/** Auditors that answer from a script: name -> passed, or absent when none is left to ask. */
function scripted(verdicts: Array<[string, boolean]>) {
  const asked: RemoteAuditJob[] = [];
  const paid: Array<[string, boolean]> = [];
  const remote = {
    audit: async (job: RemoteAuditJob) => {
      asked.push(job);
      const next = verdicts.shift();
      if (!next) return { unavailable: 'No third provider serving the model could audit the job.' };
      const [auditor, passed] = next;
      const report: AuditReportMessage = {
        t: 'audit-report',
        auditId: `audit-${auditor}`,
        passed,
        failures: passed ? [] : [{ rule: 'token-below-floor', detail: 'Token 1 is unlikely.' }],
        logProbSum: -1,
        scoredTokens: 2,
        window: false,
        auditMs: 1,
      };
      return { auditor, report, settle: async (pay: boolean) => void paid.push([auditor, pay]) };
    },
  } as unknown as RemoteAuditors;
  return { remote, asked, paid };
}

async function judge(verdicts: Array<[string, boolean]>) {
  const { remote, asked, paid } = scripted(verdicts);
  const reputation = new ReputationBook();
  const verdict = await thirdPartyAudit(
    { remote, replayGuard: new ReplayGuard(), reputation, log: pino({ level: 'silent' }) },
    { provider: 'provider', request, text: 'ab', summary },
    undefined,
  );
  return { verdict, asked, paid, reputation };
}

describe('thirdPartyAudit', () => {
  it('takes a pass from one third party and pays it', async () => {
    const { verdict, paid, asked } = await judge([['a', true]]);
    expect(verdict).toMatchObject({ audit: 'passed', auditors: ['a'] });
    expect(paid).toEqual([['a', true]]);
    expect(asked[0]!.provider).toBe('provider');
  });

  it('counts a failure two third parties agree on like a failed local audit', async () => {
    const { verdict, asked, paid } = await judge([
      ['a', false],
      ['b', false],
    ]);
    expect(verdict).toMatchObject({ audit: 'failed', auditors: ['a', 'b'] });
    expect(verdict.unconfirmed).toBeUndefined();
    expect(asked[1]!.exclude).toEqual(['a']);
    expect(paid.sort()).toEqual([
      ['a', true],
      ['b', true],
    ]);
  });

  it('withholds the job on a single unconfirmed failure, as a timeout only', async () => {
    const { verdict } = await judge([['a', false]]);
    expect(verdict).toMatchObject({ audit: 'failed', auditors: ['a'], unconfirmed: true });
  });

  it('pays the job and takes standing and pay from an auditor another one contradicts', async () => {
    const { verdict, paid, reputation } = await judge([
      ['liar', false],
      ['b', true],
    ]);
    expect(verdict).toMatchObject({ audit: 'unavailable', failures: [], auditors: ['liar', 'b'] });
    expect(paid.sort()).toEqual([
      ['b', true],
      ['liar', false],
    ]);
    expect(reputation.isAvailable('liar')).toBe(false);
    expect(reputation.standing('liar').auditsPassed).toBe(0);
    expect(reputation.isAvailable('provider')).toBe(true);
  });

  it('is unavailable (neutral) when no third party answers', async () => {
    const { verdict } = await judge([]);
    expect(verdict).toMatchObject({ audit: 'unavailable', auditors: [] });
  });
});
