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
