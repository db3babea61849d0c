// A separate process for the crash test: indexes (or resumes) and reports progress on stdout.
import { Library } from '../../../src/core/library';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';

const [dir, source] = process.argv.slice(2);
const library = await Library.open({
  dir: dir!,
  settings: () => ({ ...DEFAULT_SETTINGS.library, watch: false }),
  watch: false,
  onProgress: (p) => console.log(`progress ${p.files.done}`),
});
if (source) await library.addSource('crash', source);
await library.whenIdle();
await library.dispose();
console.log('finished');
