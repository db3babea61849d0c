import { Unzip, UnzipInflate } from 'fflate';
import { LibraryFileError } from './file-error';
import type { ExtractLimits } from './types';

/**
 * Unpacks the wanted entries of a zip-based document (docx, pptx, xlsx, odt, epub) while
 * counting the bytes it really inflates, so a zip bomb is stopped by what it does, not by the
 * sizes it claims, and keeping no more than `maxKeptBytes` of the wanted entries. Throws
 * LibraryFileError (`zip-bomb`, `too-complex` or `corrupt`).
 */
export function unzipGuarded(
  path: string,
  bytes: Uint8Array,
  limits: ExtractLimits,
  wanted: (name: string) => boolean = () => true,
): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let total = 0;
  let kept = 0;
  let bomb = false;
  let tooBig = false;
  const cap = Math.min(limits.maxUnpackedBytes, Math.max(bytes.byteLength * limits.maxRatio, 16 * 1024 * 1024));
  const unzip = new Unzip((file) => {
    if (bomb || tooBig) return;
    const keep = wanted(file.name);
    const parts: Uint8Array[] = [];
    file.ondata = (error, chunk, final) => {
      if (error) throw error;
      total += chunk.byteLength;
      if (total > cap) {
        bomb = true;
        file.terminate();
        return;
      }
      if (keep) {
        kept += chunk.byteLength;
        if (kept > limits.maxKeptBytes) {
          tooBig = true;
          file.terminate();
          return;
        }
        parts.push(chunk);
      }
      if (final && keep) out.set(file.name, concat(parts));
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    // Feed in slices so that a bomb is noticed after at most one slice of inflation.
    const step = 64 * 1024;
    for (let offset = 0; offset < bytes.byteLength && !bomb && !tooBig; offset += step) {
      unzip.push(bytes.subarray(offset, Math.min(offset + step, bytes.byteLength)), offset + step >= bytes.byteLength);
    }
  } catch (error) {
    if (!bomb && !tooBig) {
      throw new LibraryFileError(
        path,
        'corrupt',
        `This file is damaged (its zip container cannot be read: ${error instanceof Error ? error.message : String(error)}); open and re-save it in its app, then re-index.`,
      );
    }
  }
  // Past the kept limit at a zip bomb's ratio, it is one; at an ordinary ratio, just too big.
  if (tooBig && total > bytes.byteLength * limits.maxRatio) bomb = true;
  if (bomb) {
    throw new LibraryFileError(
      path,
      'zip-bomb',
      `This file expands to more than ${Math.round(Math.min(total, cap) / 1024 / 1024)} MB when unpacked, which looks like a zip bomb; Hearth skipped it to protect your computer.`,
    );
  }
  if (tooBig) {
    throw new LibraryFileError(
      path,
      'too-complex',
      `The text inside this file unpacks to more than ${Math.round(limits.maxKeptBytes / 1024 / 1024)} MB, more than Hearth reads from one document; split it into smaller files, then re-index.`,
    );
  }
  if (out.size === 0 && total === 0) {
    throw new LibraryFileError(
      path,
      'corrupt',
      'This file is damaged or not really a zip-based document; open and re-save it in its app, then re-index.',
    );
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const size = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
