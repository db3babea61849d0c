export { auditAnswer, type FinishedJob } from './audit-answer';
export { AuditSampler, type AuditSamplerOptions } from './audit-sampler';
export { AuditorLimitError } from './audit-errors';
export {
  checkReturnedIds,
  judgeAudit,
  type AuditFailure,
  type AuditRule,
  type AuditThresholds,
  type AuditVerdict,
  type ProviderClaim,
  type ScoredOutput,
} from './audit-rules';
export { CanaryPool, checkCanary, END_OF_ANSWER, type CanaryPoolOptions, type CanaryReference } from './canary';
export { ModelHashError } from './model-hash-error';
export { modelSha256 } from './model-sha256';
export { ReplayGuard, type ReplayGuardOptions } from './replay-guard';
export {
  TokenAuditor,
  type AuditJob,
  type AuditReport,
  type DeclaredSampling,
  type ReturnedOutput,
  type TokenAuditorOptions,
} from './token-auditor';
