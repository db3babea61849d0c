import { encode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { decodeAnnouncement, encodeAnnouncement } from '../../../src/core/network/protocol/capacity';
import { MAX_MESSAGE_BYTES } from '../../../src/core/network/protocol/ids';
import {
  decodeMessage,
  encodeMessage,
  ProtocolError,
  ProviderMessageSchema,
  RequesterMessageSchema,
  type JobRequest,
} from '../../../src/core/network/protocol/messages';

const request: JobRequest = {
  t: 'request',
  jobId: 'job-1',
  model: 'a'.repeat(64),
  prompt: 'Once upon a time',
  maxTokens: 32,
  temperature: 0.7,
  topP: 0.9,
  seed: 42,
  price: 0,
  requester: '12D3KooWExample',
};

describe('job protocol messages', () => {
  it('round-trips a request through CBOR', () => {
    expect(decodeMessage(RequesterMessageSchema, encodeMessage(request))).toEqual(request);
  });

  it('rejects bytes that are not CBOR', () => {
    expect(() => decodeMessage(RequesterMessageSchema, Uint8Array.from([0xff, 0xfe]))).toThrow(ProtocolError);
  });

  it('rejects unknown fields, wrong types and out-of-range values', () => {
    for (const bad of [
      { ...request, extra: 1 },
      { ...request, maxTokens: 1e9 },
      { ...request, model: 'not-a-hash' },
      { ...request, jobId: '../../etc/passwd' },
      { t: 'launch-missiles' },
    ]) {
      expect(() => decodeMessage(RequesterMessageSchema, encode(bad))).toThrow(ProtocolError);
    }
  });

  it('refuses to encode or decode messages over the size limit', () => {
    const huge = encode({ t: 'token', text: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect(() => decodeMessage(ProviderMessageSchema, huge)).toThrow(/larger/);
    expect(() => encodeMessage({ ...request, prompt: 'x'.repeat(MAX_MESSAGE_BYTES) })).toThrow(ProtocolError);
  });

  it('carries token ids and the model hash in done, bounded by the longest job', () => {
    const done = {
      t: 'done' as const,
      promptTokens: 5,
      completionTokens: 3,
      queueMs: 1,
      generationMs: 2,
      stopReason: 'eos' as const,
      tokens: [1, 2, 3],
      model: 'b'.repeat(64),
    };
    expect(decodeMessage(ProviderMessageSchema, encodeMessage(done))).toEqual(done);
    expect(() => decodeMessage(ProviderMessageSchema, encode({ ...done, tokens: new Array(4097).fill(1) }))).toThrow(ProtocolError);
    expect(() => decodeMessage(ProviderMessageSchema, encode({ ...done, tokens: [-1] }))).toThrow(ProtocolError);
  });

  it('accepts a receipt or withheld after the request and checks their shape', () => {
    const receipt = {
      t: 'receipt' as const,
      receipt: {
        jobId: 'job-1',
        provider: `0x${'11'.repeat(20)}`,
        requester: `0x${'22'.repeat(20)}`,
        modelHash: `0x${'33'.repeat(32)}`,
        promptTokens: 5,
        outputTokens: 3,
        price: '0',
        audited: true,
        nonce: '12345',
        time: 1_700_000_000,
      },
      signature: `0x${'44'.repeat(65)}`,
      binding: {
        peerId: '12D3KooWExample',
        wallet: `0x${'22'.repeat(20)}`,
        time: 1_700_000_000,
        walletSignature: `0x${'55'.repeat(65)}`,
        peerSignature: `0x${'66'.repeat(64)}`,
      },
    };
    expect(decodeMessage(RequesterMessageSchema, encodeMessage(receipt))).toEqual(receipt);
    const withheld = { t: 'withheld' as const, jobId: 'job-1', reason: 'The audit failed.', audited: true };
    expect(decodeMessage(RequesterMessageSchema, encodeMessage(withheld))).toEqual(withheld);
    for (const bad of [
      { ...receipt, signature: '0x1234' },
      { ...receipt, receipt: { ...receipt.receipt, provider: 'not-an-address' } },
      { ...receipt, binding: { ...receipt.binding, extra: 1 } },
      { ...withheld, reason: 'x'.repeat(501) },
    ]) {
      expect(() => decodeMessage(RequesterMessageSchema, encode(bad))).toThrow(ProtocolError);
    }
  });

  it('ignores CBOR tags that could build objects', () => {
    const tagged = Uint8Array.from([0xc1, 0x00]); // tag 1 (epoch date) around 0
    expect(() => decodeMessage(RequesterMessageSchema, tagged)).toThrow(ProtocolError);
  });
});

describe('capacity announcements', () => {
  it('round-trip and reject garbage', () => {
    const announcement = { v: 1 as const, models: [{ sha256: 'b'.repeat(64), name: 'm.gguf' }], freeSlots: 1, price: 0, addrs: [] };
    expect(decodeAnnouncement(encodeAnnouncement(announcement))).toEqual(announcement);
    expect(decodeAnnouncement(Uint8Array.from([1, 2, 3]))).toBeNull();
    expect(decodeAnnouncement(encode({ ...announcement, freeSlots: -1 }))).toBeNull();
  });
});
