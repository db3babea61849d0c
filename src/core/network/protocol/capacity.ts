import { decode, encode } from 'cborg';
import * as v from 'valibot';

/** What a provider tells the network every few seconds over gossipsub. */
export const CapacityAnnouncementSchema = v.strictObject({
  v: v.literal(1),
  models: v.pipe(
    v.array(
      v.strictObject({
        sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
        name: v.pipe(v.string(), v.maxLength(200)),
      }),
    ),
    v.maxLength(32),
  ),
  /** Jobs it could start now (0 while paused or full). */
  freeSlots: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(64)),
  /** Credits per 1000 tokens it asks; 0 while rewards do not exist. */
  price: v.pipe(v.number(), v.minValue(0), v.maxValue(1e9)),
  /** Where to dial it, including relay addresses for nodes behind NAT. */
  addrs: v.pipe(v.array(v.pipe(v.string(), v.maxLength(300))), v.maxLength(16)),
});
export type CapacityAnnouncement = v.InferOutput<typeof CapacityAnnouncementSchema>;

export function encodeAnnouncement(announcement: CapacityAnnouncement): Uint8Array {
  return encode(announcement);
}

/** null for anything that is not a valid announcement. */
export function decodeAnnouncement(bytes: Uint8Array): CapacityAnnouncement | null {
  if (bytes.byteLength > 8 * 1024) return null;
  try {
    const result = v.safeParse(CapacityAnnouncementSchema, decode(bytes, { useMaps: false, tags: [] }));
    return result.success ? result.output : null;
  } catch {
    return null;
  }
}
