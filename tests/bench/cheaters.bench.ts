/**
 * `npm run bench:cheaters`: adaptive cheaters, a free-loading and a lying requester against
 * default settings (audit share 0.1, probation, price cap, unpaid-job limit), over real libp2p on
 * 127.0.0.1 with stories260K (threads 1). Every provider asks 1 credit per 1000 tokens, so credits
 * measure work paid for.
 *
 * Honest providers serve a mix of jobs (greedy and sampled at 0.7, 0.8 and 1; a few long ones).
 * Each attack then gets the requester's jobs aimed at it (`onlyProviders`: the worst case, as if
 * it were the only provider of the model), and comes back under a fresh identity whenever the
 * requester's reputation book puts it in a timeout or bans it. Reported per attack: jobs, caught
 * (failed audits), paid (receipts), credits paid to it against what the honest providers earned
 * per job, and the share of all credits paid that went to cheaters. The steady-share attack (a
 * proven identity cheating after its probation) runs with batch settlement and with B = 1 in
 * the same run: `npm run bench:cheaters -- -t steady`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkJob } from '../../src/core/network';
import { summarise } from '../../src/core/network/rewards/rewards-service';
import { tempDir } from '../helpers/temp-dir';
import { STORIES, storyPrompt } from '../integration/rewards/cheating-providers';
import { startRewardedNode, type RewardedNode, type RewardedNodeOptions } from '../integration/rewards/rewarded-node';

const HONEST_JOBS = Number(process.env.CHEATERS_BENCH_HONEST ?? 200);
const LONG_JOBS = Number(process.env.CHEATERS_BENCH_LONG ?? 2);
const ATTACK_JOBS = Number(process.env.CHEATERS_BENCH_JOBS ?? 30);
/** Fresh identities one attack may take before it gives up. */
const MAX_IDENTITIES = Number(process.env.CHEATERS_BENCH_IDENTITIES ?? 8);
/** Honest jobs the requester without the model sends first (third-party audited at the default share). */
const NO_MODEL_HONEST_JOBS = Number(process.env.CHEATERS_BENCH_NO_MODEL_HONEST ?? 40);
const PRICE = 1;
/** Jobs a steady-share cheater serves after its probation (per share f and batch size). */
const STEADY_JOBS = Number(process.env.CHEATERS_BENCH_STEADY_JOBS ?? 200);
/** Jobs before a provider leaves probation with a requester (5 all audited + 100 falling). */
const PROBATION_JOBS = 105;

interface AttackRow {
  attack: string;
  jobs: number;
  identities: number;
  caught: number;
  paid: number;
  credits: number;
  /** Credits for jobs the attacker cheated on (a patient attacker's honest phase left out). */
  cheatedCredits: number;
  creditsPerJob: number;
  honestCreditsPerJob: number;
  rules: Record<string, number>;
}

const ATTACKS: Array<{ name: string; kind: string; temperature: number }> = [
  { name: 'patient identity-rotating (honest 5 jobs, then truncates)', kind: 'patient-5', temperature: 0.8 },
  { name: 'out-of-vocabulary ids', kind: 'out-of-vocabulary', temperature: 0.8 },
  { name: 'padding ids to 4,096', kind: 'padding', temperature: 0.8 },
  { name: 'truncation (claims an end)', kind: 'early-stop', temperature: 0.8 },
  { name: 'replay of foreign answers, temperature 0', kind: 'replay-foreign', temperature: 0 },
  { name: 'replay of foreign answers, temperature 0.7', kind: 'replay-foreign', temperature: 0.7 },
  { name: 'high-temperature sampling', kind: 'high-temperature', temperature: 0.7 },
  { name: 'canary-aware (honest on repeats, truncates otherwise)', kind: 'canary-aware', temperature: 0 },
  { name: 'random tokens', kind: 'random-tokens', temperature: 0.8 },
];

const results: Record<string, unknown> = {};
const dirs: Array<{ cleanup: () => Promise<void> }> = [];
const nodes = new Set<RewardedNode>();
let requester: RewardedNode;
let honest: RewardedNode[] = [];
let jobNumber = 0;
const micro = (n: bigint) => Number(n) / 1e6;

async function node(options: Omit<RewardedNodeOptions, 'dataDir'>) {
  const dir = await tempDir();
  dirs.push(dir);
  const started = await startRewardedNode({ ...options, dataDir: dir.path });
  nodes.add(started);
  return started;
}

function job(temperature: number, maxTokens = 32 + (jobNumber % 4) * 16): NetworkJob {
  const i = 5000 + jobNumber++;
  return { model: STORIES.sha256, prompt: storyPrompt(i), maxTokens, temperature, topP: temperature > 0 ? 0.95 : 1 };
}

/**
 * A job longer than the auditor's 2048-token context: a story of about 1,880 tokens to continue
 * for 300 more (the provider's own context shifts once).
 */
function longJob(temperature: number): NetworkJob {
  const story = Array.from({ length: 48 }, (_, i) => storyPrompt(7000 + i)).join(' ');
  return { ...job(temperature, 300), prompt: story };
}

/** Credits the requester's ledger paid to a wallet. */
function paidTo(wallet: string): number {
  let sum = 0n;
  for (const entry of requester.entries) {
    if (entry.kind === 'spent' && entry.receipt.provider.toLowerCase() === wallet.toLowerCase()) sum += BigInt(entry.receipt.price);
  }
  return micro(sum);
}

/**
 * Connects `by` to `provider` and waits until its capacity announcement has been heard. After
 * several short-lived identities from one address gossip stops delivering new announcements
 * within a bench's patience (gossipsub's own pacing); the bench then records the announcement
 * the provider would send, so the attack is measured rather than the discovery.
 */
async function known(provider: RewardedNode, by: RewardedNode = requester): Promise<void> {
  const peerId = provider.peerId;
  await by.network.node.dial(multiaddr(`${provider.address}/p2p/${peerId}`)).catch(() => undefined);
  const deadline = Date.now() + 10_000;
  while (!by.network.directory.all().some((p) => p.peerId === peerId)) {
    if (Date.now() > deadline) {
      directoryHeard(by, provider);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function directoryHeard(by: RewardedNode, provider: RewardedNode): void {
  const announcements = (by.network.directory as unknown as { _announcements: Map<string, unknown> })._announcements;
  announcements.set(provider.peerId, {
    announcement: {
      v: 1,
      models: [{ sha256: STORIES.sha256, name: 'stories260K.gguf' }],
      freeSlots: 1,
      price: PRICE,
      addrs: [provider.address],
    },
    seenAt: Date.now() + 3_600_000,
  });
}

describe('cheaters bench', () => {
  beforeAll(async () => {
    requester = await node({ auditShare: 0.1 });
    honest = [await node({ provider: 'honest-fixture', price: PRICE, bootstrap: [`${requester.address}/p2p/${requester.peerId}`] })];
    honest.push(await node({ provider: 'honest-fixture', price: PRICE, bootstrap: [`${requester.address}/p2p/${requester.peerId}`] }));
    for (const h of honest) await known(h);
  }, 120_000);

  afterAll(async () => {
    await requester.network.requester.idle();
    await Promise.all([...nodes].map((n) => n.stop().catch(() => undefined)));
    await Promise.all(dirs.map((d) => d.cleanup()));
    await mkdir('bench-results', { recursive: true });
    // A run filtered to some attacks (-t) keeps the figures of the others from the last full run.
    const previous = JSON.parse(await readFile('bench-results/cheaters.json', 'utf8').catch(() => '{}')) as object;
    await writeFile('bench-results/cheaters.json', `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
  }, 120_000);

  it(`honest providers: ${HONEST_JOBS} jobs (${LONG_JOBS} longer than the auditor's context), none failed or banned`, async () => {
    const started = performance.now();
    const temperatures = [0, 0.7, 0.8, 1];
    let failed = 0;
    let audited = 0;
    let notAudited = 0;
    let errors = 0;
    let shortCredits = 0n;
    for (let i = 0; i < HONEST_JOBS; i++) {
      const long = i < LONG_JOBS;
      const j = long ? longJob(temperatures[i % temperatures.length]!) : job(temperatures[i % temperatures.length]!);
      try {
        const result = await requester.network.requester.generate(j, {
          onlyProviders: honest.map((h) => h.peerId),
          maxAttempts: 2,
        });
        const settlement = await result.settlement;
        if (!long && settlement.receipt) shortCredits += settlement.receipt.receipt.price;
        if (settlement.audit === 'failed') {
          failed++;
          console.log('honest job failed', settlement.failures);
        }
        if (settlement.audit === 'passed') audited++;
        if (settlement.audit === 'unavailable') notAudited++;
      } catch (error) {
        errors++;
        console.log('honest job error', (error as Error).message);
      }
    }
    const credits = honest.reduce((sum, h) => sum + paidTo(h.rewards.receipts!.binding.wallet), 0);
    const standings = honest.map((h) => requester.rewards.reputation.standing(h.peerId));
    const row = {
      jobs: HONEST_JOBS,
      long: LONG_JOBS,
      audited,
      couldNotAudit: notAudited,
      failed,
      errors,
      credits,
      // Per job of the same lengths as the attacks' (long jobs left out).
      creditsPerJob: micro(shortCredits) / Math.max(1, HONEST_JOBS - LONG_JOBS),
      banned: standings.filter((s) => s.banned).length,
      timedOut: standings.filter((s) => s.timeoutUntil !== null).length,
      seconds: Math.round((performance.now() - started) / 1000),
    };
    results.honest = row;
    console.log('honest', row);
    expect(row.failed).toBe(0);
    expect(row.errors).toBe(0);
    expect(row.banned).toBe(0);
  });

  const rows: AttackRow[] = [];
  for (const attack of ATTACKS) {
    it(`attack: ${attack.name}`, async () => {
      const honestRow = results.honest as { creditsPerJob: number } | undefined;
      const bootstrap = [`${requester.address}/p2p/${requester.peerId}`];
      const identities: RewardedNode[] = [];
      const fresh = async () => {
        const cheater = await node({ provider: attack.kind, price: PRICE, bootstrap });
        identities.push(cheater);
        await known(cheater);
        return cheater;
      };
      let cheater = await fresh();
      let identityJobs = 0;
      const honestJobs = attack.kind.startsWith('patient-') ? Number(attack.kind.slice('patient-'.length)) : 0;
      const row: AttackRow = {
        attack: attack.name,
        jobs: 0,
        identities: 1,
        caught: 0,
        paid: 0,
        credits: 0,
        cheatedCredits: 0,
        creditsPerJob: 0,
        honestCreditsPerJob: honestRow?.creditsPerJob ?? 0,
        rules: {},
      };
      for (let i = 0; i < ATTACK_JOBS; i++) {
        if (!requester.rewards.reputation.isAvailable(cheater.peerId)) {
          if (identities.length >= MAX_IDENTITIES) break;
          await cheater.stop();
          nodes.delete(cheater);
          cheater = await fresh();
          row.identities++;
          identityJobs = 0;
        }
        row.jobs++;
        identityJobs++;
        try {
          const result = await requester.network.requester.generate(job(attack.temperature), {
            onlyProviders: [cheater.peerId],
            maxAttempts: 1,
          });
          const settlement = await result.settlement;
          if (settlement.audit === 'failed') row.caught++;
          if (settlement.receipt) row.paid++;
          if (settlement.receipt && identityJobs > honestJobs) row.cheatedCredits += micro(settlement.receipt.receipt.price);
          for (const f of settlement.failures) row.rules[f.rule] = (row.rules[f.rule] ?? 0) + 1;
        } catch (error) {
          row.rules.error = (row.rules.error ?? 0) + 1;
          console.log(attack.kind, 'job error', (error as Error).message);
        }
      }
      await requester.network.requester.idle();
      row.credits = identities.reduce((sum, c) => sum + paidTo(c.rewards.receipts!.binding.wallet), 0);
      row.creditsPerJob = row.jobs ? row.credits / row.jobs : 0;
      rows.push(row);
      results.attacks = rows;
      console.log(row);
    });
  }

  it('requester without the model: truncation caught through third-party audits', async () => {
    // The usual network-chat user: no copy of the model, default audit share and probation. Its
    // sampled jobs go to a random third provider (the two honest ones) over /hearth/audit.
    const user = await node({ hasModel: false, auditShare: 0.1, bootstrap: [`${requester.address}/p2p/${requester.peerId}`] });
    for (const h of honest) await known(h, user);
    const spentTo = (wallet: string, audits: boolean) =>
      micro(
        user.entries.reduce(
          (sum, e) =>
            e.kind === 'spent' &&
            e.receipt.provider.toLowerCase() === wallet.toLowerCase() &&
            e.jobId.startsWith('audit-') === audits
              ? sum + BigInt(e.receipt.price)
              : sum,
          0n,
        ),
      );
    const row = { honestJobs: 0, honestFailed: 0, honestThirdParty: 0, jobs: 0, identities: 1, caught: 0, paid: 0, thirdParty: 0, unconfirmed: 0 };
    for (let i = 0; i < NO_MODEL_HONEST_JOBS; i++) {
      row.honestJobs++;
      const result = await user.network.requester.generate(job(0.8), { onlyProviders: honest.map((h) => h.peerId), maxAttempts: 2 });
      const settlement = await result.settlement;
      if (settlement.audit === 'failed') row.honestFailed++;
      if (settlement.auditors) row.honestThirdParty++;
    }
    const identities: RewardedNode[] = [];
    const fresh = async () => {
      const cheater = await node({ provider: 'early-stop', price: PRICE, bootstrap: [`${user.address}/p2p/${user.peerId}`] });
      identities.push(cheater);
      await known(cheater, user);
      return cheater;
    };
    let cheater = await fresh();
    for (let i = 0; i < ATTACK_JOBS; i++) {
      if (!user.rewards.reputation.isAvailable(cheater.peerId)) {
        if (identities.length >= MAX_IDENTITIES) break;
        await cheater.stop();
        nodes.delete(cheater);
        cheater = await fresh();
        row.identities++;
      }
      row.jobs++;
      try {
        const result = await user.network.requester.generate(job(0.8), { onlyProviders: [cheater.peerId], maxAttempts: 1 });
        const settlement = await result.settlement;
        if (settlement.audit === 'failed') row.caught++;
        if (settlement.receipt) row.paid++;
        if (settlement.auditors) row.thirdParty++;
        if (settlement.note?.includes('no second auditor')) row.unconfirmed++;
      } catch (error) {
        console.log('no-model job error', (error as Error).message);
      }
    }
    await user.network.requester.idle();
    const auditCredits = honest.reduce((sum, h) => sum + spentTo(h.rewards.receipts!.binding.wallet, true), 0);
    const jobCredits = honest.reduce((sum, h) => sum + spentTo(h.rewards.receipts!.binding.wallet, false), 0);
    results.noModel = {
      ...row,
      cheaterCredits: identities.reduce((sum, c) => sum + spentTo(c.rewards.receipts!.binding.wallet, false), 0),
      honestJobCredits: jobCredits,
      auditCredits,
    };
    console.log('requester without the model', results.noModel);
    expect(row.honestFailed).toBe(0);
    expect(row.caught).toBeGreaterThan(0);
  });

  /**
   * A proven identity cheating at the steady share: honest until it is off probation with this
   * requester (105 jobs), then random tokens of the full length (nothing computed, full pay
   * asked) on a share f of its jobs. Measured with batches (B from the audit share: 10 at 0.1)
   * and without (B = 1), on two requesters in the same run. The requester keeps sending to it
   * after a catch ('plain' ranking) and the cheater never refuses a requester for forfeits: the
   * attacker's best case. Its pay per job is compared with its own honest phase (same jobs).
   */
  const steadyRows: Array<Record<string, number | string>> = [];
  for (const f of [1, 0.3]) {
    for (const batchJobs of [undefined, 1]) {
      const label = `steady share, cheats on ${f * 100}% of jobs, ${batchJobs === 1 ? 'no batches (B = 1)' : 'batches (B = 10)'}`;
      it(`attack: proven identity cheats at the steady share: ${label}`, async () => {
        const asker = await node({ auditShare: 0.1, ranking: 'plain', ...(batchJobs ? { batchJobs } : {}) });
        const cheater = await node({
          provider: `steady-${PROBATION_JOBS}-${f}`,
          price: PRICE,
          maxUnpaidJobs: 1_000,
          bootstrap: [`${asker.address}/p2p/${asker.peerId}`],
        });
        await known(cheater, asker);
        const wallet = cheater.rewards.receipts!.binding.wallet.toLowerCase();
        const paid = () =>
          asker.entries.reduce(
            (sum, e) => (e.kind === 'spent' && e.receipt.provider.toLowerCase() === wallet ? sum + BigInt(e.receipt.price) : sum),
            0n,
          );
        let caught = 0;
        let errors = 0;
        const run = async (count: number) => {
          for (let i = 0; i < count; i++) {
            try {
              const result = await asker.network.requester.generate(job(0.8, 32), { onlyProviders: [cheater.peerId], maxAttempts: 2 });
              if ((await result.settlement).audit === 'failed') caught++;
            } catch (error) {
              errors++;
              console.log('steady job error', (error as Error).message);
            }
          }
        };
        await run(PROBATION_JOBS);
        const honestPhase = micro(paid());
        const honestCaught = caught;
        await run(STEADY_JOBS);
        // Whatever is still held goes out as the requester would on stopping.
        await asker.network.requester.settleBatches();
        const cheatingPhase = micro(paid()) - honestPhase;
        const row = {
          attack: label,
          share: f,
          batch: batchJobs ?? 10,
          honestPhaseJobs: PROBATION_JOBS,
          honestPerJob: honestPhase / PROBATION_JOBS,
          cheatingJobs: STEADY_JOBS,
          caught: caught - honestCaught,
          errors,
          cheatingPerJob: cheatingPhase / STEADY_JOBS,
          ratio: honestPhase > 0 ? cheatingPhase / STEADY_JOBS / (honestPhase / PROBATION_JOBS) : 0,
        };
        steadyRows.push(row);
        results.steady = steadyRows;
        console.log(row);
        await cheater.stop();
        nodes.delete(cheater);
        await asker.stop();
        nodes.delete(asker);
      });
    }
  }

  it('free-loading requester: served at most the unpaid-job limit', async () => {
    const provider = await node({ provider: 'honest-fixture', price: PRICE });
    const freeloader = await node({ settle: 'never', bootstrap: [`${provider.address}/p2p/${provider.peerId}`] });
    await known(provider, freeloader);
    let served = 0;
    const refusals: string[] = [];
    for (let i = 0; i < 10; i++) {
      try {
        await freeloader.network.requester.generate(job(0.8), { onlyProviders: [provider.peerId], maxAttempts: 1 });
        served++;
      } catch (error) {
        refusals.push((error as Error).message);
      }
    }
    results.freeloader = { asked: 10, served, limit: 3, refusal: refusals[0] ?? null };
    console.log('free-loader', results.freeloader);
    expect(served).toBeLessThanOrEqual(3);
  });

  it('lying requester ("audit failed" on every job): served at most the limit, provider not marked failing', async () => {
    const provider = await node({ provider: 'honest-fixture', price: PRICE });
    const liar = await node({ settle: 'lie', bootstrap: [`${provider.address}/p2p/${provider.peerId}`] });
    await known(provider, liar);
    let served = 0;
    for (let i = 0; i < 10; i++) {
      try {
        const result = await liar.network.requester.generate(job(0.8), { onlyProviders: [provider.peerId], maxAttempts: 1 });
        await result.settlement;
        served++;
      } catch {
        // refused: unpaid
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const own = summarise(provider.entries, Date.now());
    results.liar = { asked: 10, served, limit: 3, providerTier: own.tier, providerAuditPassRate: own.auditPassRate };
    console.log('liar', results.liar);
    expect(served).toBeLessThanOrEqual(3);
    expect(own.tier).not.toBe('banned');
  });

  it('summary: share of all credits that went to cheaters', () => {
    const honestRow = results.honest as { credits: number; creditsPerJob: number };
    const cheaterCredits = rows.reduce((sum, r) => sum + r.credits, 0);
    const cheatedCredits = rows.reduce((sum, r) => sum + r.cheatedCredits, 0);
    const total = cheaterCredits + honestRow.credits;
    results.summary = {
      honestCredits: honestRow.credits,
      cheaterCredits,
      cheatedCredits,
      cheaterShare: total ? cheaterCredits / total : 0,
      cheatedShare: total ? cheatedCredits / total : 0,
      attacksBelowHonestPerJob: rows.filter((r) => r.creditsPerJob < honestRow.creditsPerJob).length,
      attacks: rows.length,
    };
    console.log('summary', results.summary);
    console.table(
      rows.map((r) => ({
        attack: r.attack,
        jobs: r.jobs,
        ids: r.identities,
        caught: r.caught,
        paid: r.paid,
        credits: r.credits.toFixed(3),
        'for cheating': r.cheatedCredits.toFixed(3),
        'per job': r.creditsPerJob.toFixed(4),
        'honest per job': r.honestCreditsPerJob.toFixed(4),
      })),
    );
  });
});
