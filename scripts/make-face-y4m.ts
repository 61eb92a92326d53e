/**
 * Make a fake-camera file for Chromium from a JPEG (no ffmpeg needed):
 *
 *   npx tsx scripts/make-face-y4m.ts <photo.jpg> <out.y4m> [--width 640 --height 480 --frames 10 --fps 10]
 *   chromium --use-fake-device-for-media-stream --use-fake-ui-for-media-stream --use-file-for-fake-video-capture=<out.y4m>
 *
 * The photo is scaled to fit the frame (aspect kept, grey borders), converted to Y'CbCr BT.601 4:2:0
 * and written as `YUV4MPEG2 W.. H.. F..:1 Ip A1:1 C420jpeg` with identical FRAME records.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import jpeg from 'jpeg-js';
import { letterbox, rgbFromRgba } from '../drivers/camera/raster';
import { stillY4m } from '../drivers/camera/y4m';

const even = (v: string, name: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n % 2 !== 0) throw new Error(`--${name} must be a positive even integer`);
  return n;
};

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { width: { type: 'string', default: '640' }, height: { type: 'string', default: '480' }, frames: { type: 'string', default: '10' }, fps: { type: 'string', default: '10' } },
  });
  const [input, output] = positionals;
  if (!input || !output) throw new Error('usage: make-face-y4m <photo.jpg> <out.y4m> [--width W --height H --frames N --fps F]');
  const raw = jpeg.decode(readFileSync(input), { useTArray: true, formatAsRGBA: true });
  const frame = letterbox(rgbFromRgba(raw.width, raw.height, raw.data), even(values.width, 'width'), even(values.height, 'height'), [96, 96, 96]);
  const y4m = stillY4m(frame, Number(values.frames), { fps: Number(values.fps) });
  writeFileSync(output, y4m);
  console.log(`${output}: ${frame.width}×${frame.height}, ${values.frames} frames, ${y4m.length} bytes`);
} catch (err) {
  console.error(`make-face-y4m: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
