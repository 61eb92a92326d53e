/**
 * Face-match calibration in the real engine: headless Chromium (the renderer's wasm engine, the same
 * code as the counter's) measures every labelled fixture pair (test/fixtures/face/faces.ts) and prints
 * FAR/FRR per threshold and the threshold the default rule picks (drivers/camera/calibration.ts).
 *
 *   npx vite build --config renderer/vite.config.ts
 *   npx tsx scripts/face-calibrate.ts            # print the tables
 *   npx tsx scripts/face-calibrate.ts --write    # also refresh drivers/camera/calibration-data.json
 *
 * Why not in plain Node: human.node-wasm.js requires @tensorflow/tfjs-converter, which is not installed
 * here, and the browser bundle does not load in Node 20 (see drivers/camera/README.md).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  chooseThreshold,
  errorRates,
  formatErrorTable,
  formatKindTable,
  REPORT_THRESHOLDS,
  summarizeByKind,
  type ScoredPair,
} from '../drivers/camera/calibration';
import { startE2e } from '../test/e2e/harness';
import { measureFixtures, type Measurement } from '../test/fixtures/face/measure';

export const CALIBRATION_DATA = resolve(import.meta.dirname, '../drivers/camera/calibration-data.json');

export interface CalibrationData {
  measuredAt: string;
  browser: string;
  engine: Measurement['engine'];
  samples: Measurement['samples'];
  pairs: ScoredPair[];
}

export async function measureInChromium(): Promise<CalibrationData> {
  const env = await startE2e();
  try {
    const page = await env.newPage();
    await page.goto(`${env.host.origin}/face/selftest.html`);
    const m = await measureFixtures(page);
    return {
      measuredAt: new Date().toISOString(),
      browser: `Chromium ${env.browser.version()} (headless, --disable-gpu)`,
      engine: m.engine,
      samples: m.samples,
      pairs: m.pairs.map(({ a, b, same, kind, similarity }) => ({ a, b, same, kind, similarity })),
    };
  } finally {
    await env.close();
  }
}

export function report(data: CalibrationData): string {
  const choice = chooseThreshold(data.pairs);
  const ms = Object.values(data.samples)
    .flatMap((s) => (s ? [s.ms] : []))
    .sort((x, y) => x - y);
  return [
    `engine ${data.engine.modelVersion} on ${data.engine.backend}, ${data.browser}`,
    `setup ${Math.round(data.engine.setupMs)} ms, warm-up ${Math.round(data.engine.warmupMs)} ms, detect+embed per photo median ${Math.round(ms[Math.floor(ms.length / 2)] ?? 0)} ms`,
    '',
    formatKindTable(summarizeByKind(data.pairs)),
    '',
    formatErrorTable(errorRates(data.pairs, REPORT_THRESHOLDS), choice.threshold),
    '',
    `chosen threshold (lowest with FAR 0, + 0.01): ${choice.threshold.toFixed(2)} → FAR ${choice.row.falseAccepts}/${choice.row.impostors}, FRR ${choice.row.falseRejects}/${choice.row.genuine}`,
  ].join('\n');
}

/** JSON with one line per sample and per pair (reviewable diffs). */
export function serialize(data: CalibrationData): string {
  const { samples, pairs, ...head } = data;
  const sampleLines = Object.entries(samples).map(([id, s]) => `  ${JSON.stringify(id)}: ${JSON.stringify(s && { ...s, ms: Math.round(s.ms) })}`);
  const pairLines = pairs.map((p) => `  ${JSON.stringify(p)}`);
  const headText = JSON.stringify(head, null, 1).slice(0, -2);
  return `${headText},\n "samples": {\n${sampleLines.join(',\n')}\n },\n "pairs": [\n${pairLines.join(',\n')}\n ]\n}\n`;
}

async function main(): Promise<void> {
  const data = await measureInChromium();
  console.log(report(data));
  if (process.argv.includes('--write')) {
    writeFileSync(CALIBRATION_DATA, serialize(data));
    console.log(`wrote ${CALIBRATION_DATA}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(`face-calibrate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
