/**
 * `npm run bench:console`: how fast the admin console paints and how much it downloads.
 *
 * Loads `/admin` in headless Chromium with a cold cache, BENCH_ROUNDS times (default 5), and
 * prints first-contentful-paint (the Paint Timing API's `first-contentful-paint`), the time
 * until the app has rendered its first view (the `gatehouse-console-rendered` mark), and the bytes fetched (gzip as served, and
 * uncompressed). Targets: first paint under 1 s, assets under 300 KB gzipped. Printed, never
 * asserted: the figures depend on the machine.
 */
import { launchChromium } from '../test/helpers/chromium.js';
import { startConsoleWorld } from './console-world.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const world = await startConsoleWorld();
const browser = await launchChromium();
try {
  const paints: number[] = [];
  const ready: number[] = [];
  let transferred = 0;
  let decoded = 0;
  let files = 0;
  for (let round = 0; round < rounds; round++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const sizes: Promise<{ encoded: number; decoded: number }>[] = [];
    page.on('requestfinished', (request) => {
      sizes.push(
        Promise.all([request.sizes(), request.response()]).then(async ([size, response]) => ({ encoded: size.responseBodySize, decoded: (await response?.body())?.length ?? 0 })),
      );
    });
    await page.goto(`${world.url}/admin`, { waitUntil: 'load' });
    await page.locator('#api-key').waitFor();
    const timing = await page.evaluate(() => {
      const perf = (globalThis as unknown as { performance: { now(): number; getEntriesByType(type: string): { name: string; startTime: number }[] } }).performance;
      return {
        fcp: perf.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime ?? NaN,
        now: perf.getEntriesByType('mark').find((e) => e.name === 'gatehouse-console-rendered')?.startTime ?? NaN,
      };
    });
    paints.push(timing.fcp);
    ready.push(timing.now);
    const all = await Promise.all(sizes);
    transferred = all.reduce((sum, s) => sum + s.encoded, 0);
    decoded = all.reduce((sum, s) => sum + s.decoded, 0);
    files = all.length;
    await context.close();
  }
  console.log(`admin console, ${rounds} cold loads of /admin in headless Chromium`);
  console.log(`  first-contentful-paint  median ${median(paints).toFixed(0)} ms  (min ${Math.min(...paints).toFixed(0)}, max ${Math.max(...paints).toFixed(0)})`);
  console.log(`  app rendered (sign-in)  median ${median(ready).toFixed(0)} ms  (min ${Math.min(...ready).toFixed(0)}, max ${Math.max(...ready).toFixed(0)})`);
  console.log(`  fetched                 ${files} files, ${(transferred / 1024).toFixed(1)} KB as served (gzip), ${(decoded / 1024).toFixed(1)} KB uncompressed`);
} finally {
  await browser.close();
  await world.stop();
}
