/**
 * Update bundles from the hub (docs/security.md, "Hub distribution"). The hub only stores and serves
 * files: it is not trusted. Everything it sends is size-limited while it streams and then verified
 * here with the pinned keyset, exactly as a USB bundle is.
 *
 *     GET <origin>/updates/index.json          {"bundles":[{"name","files":[{"name","size"}]}]}
 *     GET <origin>/updates/<bundle>/<file>     one file of a bundle
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ArtifactName,
  KEYSET_FILE,
  KEYSET_SIG_FILE,
  MANIFEST_FILE,
  MANIFEST_SIG_FILE,
  MAX_ARTIFACT_BYTES,
  MAX_KEYSET_BYTES,
  MAX_MANIFEST_BYTES,
  MAX_SIGNATURE_FILE_BYTES,
  UpdateManifest,
} from './manifest';

/** A bundle's name on the hub: one path segment. */
export const HubBundleName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/, 'bundle name must be 1–128 letters, digits, ".", "_", "+" or "-"');
const HubFileName = z.union([z.enum([MANIFEST_FILE, MANIFEST_SIG_FILE, KEYSET_FILE, KEYSET_SIG_FILE]), ArtifactName]);

export const MAX_HUB_BUNDLES = 64;
export const MAX_INDEX_BYTES = 256 * 1024;

export const HubUpdateIndex = z
  .object({
    bundles: z
      .array(
        z
          .object({
            name: HubBundleName,
            files: z.array(z.object({ name: HubFileName, size: z.number().int().min(0).max(MAX_ARTIFACT_BYTES) }).strict()).max(20),
          })
          .strict(),
      )
      .max(MAX_HUB_BUNDLES),
  })
  .strict();
export type HubUpdateIndex = z.infer<typeof HubUpdateIndex>;

/** A hub download problem (network, status, size limit, bad index): the installer refuses with download_failed. */
export class HubDownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubDownloadError';
  }
}

/** The hub's http origin from the console's sync URL: ws://h:p/sync → http://h:p (wss → https). */
export function hubHttpOrigin(syncUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(syncUrl);
  } catch {
    return null;
  }
  const protocol = url.protocol === 'ws:' || url.protocol === 'http:' ? 'http:' : url.protocol === 'wss:' || url.protocol === 'https:' ? 'https:' : null;
  if (protocol === null || url.username || url.password) return null;
  return `${protocol}//${url.host}`;
}

export interface HubFetchOptions {
  /** Per request (default 30 s for small files, 10 min for artifacts). */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

async function request(url: string, options: HubFetchOptions, defaultTimeoutMs: number): Promise<Response> {
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(url, { signal: AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs), redirect: 'error' });
  } catch (err) {
    throw new HubDownloadError(`${url}: ${err instanceof Error ? err.message : 'request failed'}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new HubDownloadError(`${url}: HTTP ${response.status}`);
  }
  const declared = response.headers.get('content-length');
  if (declared !== null && !/^\d{1,16}$/.test(declared)) {
    await response.body?.cancel().catch(() => undefined);
    throw new HubDownloadError(`${url}: bad Content-Length`);
  }
  return response;
}

/** Streams a response body, refusing it as soon as it passes `maxBytes` (whatever Content-Length says). */
async function* limitedBody(response: Response, url: string, maxBytes: number): AsyncGenerator<Uint8Array> {
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new HubDownloadError(`${url}: ${declared} bytes is more than the limit of ${maxBytes}`);
  }
  if (!response.body) return;
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > maxBytes) throw new HubDownloadError(`${url}: more than the limit of ${maxBytes} bytes`);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** A small file into memory, at most `maxBytes`; null when the hub answers 404. */
export async function fetchLimited(url: string, maxBytes: number, options: HubFetchOptions = {}): Promise<Buffer | null> {
  let response: Response;
  try {
    response = await request(url, options, 30_000);
  } catch (err) {
    if (err instanceof HubDownloadError && err.message.endsWith('HTTP 404')) return null;
    throw err;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of limitedBody(response, url, maxBytes)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A file of exactly `size` bytes to `path` (created exclusively); more is refused mid-stream, less is left for the verifier to call truncated. */
async function fetchToFile(url: string, path: string, size: number, options: HubFetchOptions): Promise<void> {
  const response = await request(url, options, 10 * 60_000);
  const handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  try {
    for await (const chunk of limitedBody(response, url, size)) await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function fetchHubIndex(origin: string, options: HubFetchOptions = {}): Promise<HubUpdateIndex> {
  const url = `${origin}/updates/index.json`;
  const bytes = await fetchLimited(url, MAX_INDEX_BYTES, options);
  if (bytes === null) throw new HubDownloadError(`${url}: the hub serves no updates (404)`);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HubDownloadError(`${url}: not JSON`);
  }
  const parsed = HubUpdateIndex.safeParse(raw);
  if (!parsed.success) throw new HubDownloadError(`${url}: not an update index (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}

export interface HubControlFiles {
  manifest: Buffer;
  signatures: Buffer;
  keyset?: Buffer | undefined;
  keysetSignatures?: Buffer | undefined;
}

/** manifest.json, manifest.sig.json and the optional keyset change of one hub bundle, each within its limit. */
export async function fetchHubControlFiles(origin: string, bundle: string, options: HubFetchOptions = {}): Promise<HubControlFiles> {
  const name = HubBundleName.safeParse(bundle);
  if (!name.success) throw new HubDownloadError('bad bundle name');
  const base = `${origin}/updates/${encodeURIComponent(name.data)}`;
  const manifest = await fetchLimited(`${base}/${MANIFEST_FILE}`, MAX_MANIFEST_BYTES, options);
  if (manifest === null) throw new HubDownloadError(`${base}/${MANIFEST_FILE}: not on the hub`);
  const signatures = (await fetchLimited(`${base}/${MANIFEST_SIG_FILE}`, MAX_SIGNATURE_FILE_BYTES, options)) ?? Buffer.from('{"signatures":[]}');
  const keyset = (await fetchLimited(`${base}/${KEYSET_FILE}`, MAX_KEYSET_BYTES, options)) ?? undefined;
  const keysetSignatures = (await fetchLimited(`${base}/${KEYSET_SIG_FILE}`, MAX_SIGNATURE_FILE_BYTES, options)) ?? undefined;
  return { manifest, signatures, keyset, keysetSignatures };
}

/**
 * Downloads a bundle whose control files were already fetched (and whose manifest the caller has
 * verified, so nothing large is fetched for an unsigned bundle) into a new folder under `parentDir`.
 * Each artifact is limited to the size the signed manifest declares. Returns the folder; the caller
 * verifies it with verifyBundle and removes it.
 */
export async function downloadHubBundle(origin: string, bundle: string, control: HubControlFiles, manifest: UpdateManifest, parentDir: string, options: HubFetchOptions = {}): Promise<string> {
  const name = HubBundleName.parse(bundle);
  const dir = join(parentDir, `.incoming-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { mode: 0o700 });
  try {
    await writeFile(join(dir, MANIFEST_FILE), control.manifest, { flag: 'wx', mode: 0o600 });
    await writeFile(join(dir, MANIFEST_SIG_FILE), control.signatures, { flag: 'wx', mode: 0o600 });
    if (control.keyset) await writeFile(join(dir, KEYSET_FILE), control.keyset, { flag: 'wx', mode: 0o600 });
    if (control.keysetSignatures) await writeFile(join(dir, KEYSET_SIG_FILE), control.keysetSignatures, { flag: 'wx', mode: 0o600 });
    for (const artifact of manifest.artifacts) {
      await fetchToFile(`${origin}/updates/${encodeURIComponent(name)}/${encodeURIComponent(artifact.name)}`, join(dir, artifact.name), artifact.size, options);
    }
    return dir;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
