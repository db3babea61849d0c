import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';

/** A model this machine offers, named on the network by the sha256 of its file. */
export interface OfferedModel {
  sha256: string;
  name: string;
  path: string;
}

/** Names a model file on the network by the sha256 of its bytes. */
export async function describeModel(path: string): Promise<OfferedModel> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), name: basename(path), path };
}
