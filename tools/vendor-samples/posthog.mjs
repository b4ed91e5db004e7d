// posthog-js's compressed events ("cv": "2024-10"): the bulky fields are latin1 strings of
// gzip bytes of JSON. Decoded independently of Tapedeck's engine, for the truth files.
import { gunzipSync } from 'node:zlib';

const unlatin = (s) => JSON.parse(gunzipSync(Buffer.from(s, 'latin1')).toString('utf8'));

export function decompressPosthogEvent(e) {
  if (e.cv !== '2024-10') return e;
  const { cv, ...rest } = e;
  if (e.type === 2) return { ...rest, data: unlatin(e.data) };
  const data = { ...e.data };
  for (const k of ['texts', 'attributes', 'removes', 'adds']) if (typeof data[k] === 'string') data[k] = unlatin(data[k]);
  return { ...rest, data };
}
