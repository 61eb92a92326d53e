import { describe, expect, it } from 'vitest';
import { firstPhotoDecoder, looksLikeWlt, PhotoDecoderError, VendorLibraryPhotoDecoder, type PhotoDecoder } from './photo';

const wlt = Uint8Array.from([0x57, 0x4c, 0x66, 0x00, ...new Array<number>(1020).fill(1)]);

describe('looksLikeWlt', () => {
  it('recognises the WLf header', () => {
    expect(looksLikeWlt(wlt)).toBe(true);
    expect(looksLikeWlt(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).toBe(false);
    expect(looksLikeWlt(Uint8Array.of(0x57, 0x4c))).toBe(false);
  });
});

describe('VendorLibraryPhotoDecoder', () => {
  it('fails with library_not_configured when no path is set', async () => {
    const d = new VendorLibraryPhotoDecoder({ libraryPath: undefined });
    await expect(d.decode(wlt)).rejects.toMatchObject({ name: 'PhotoDecoderError', code: 'library_not_configured' });
  });

  it('fails with library_missing when the configured file is absent (real file system)', async () => {
    const d = new VendorLibraryPhotoDecoder({ libraryPath: '/nonexistent/vendor/libwlt.so' });
    const err = await d.decode(wlt).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhotoDecoderError);
    expect((err as PhotoDecoderError).code).toBe('library_missing');
    expect((err as Error).message).toContain('/nonexistent/vendor/libwlt.so');
  });

  it('without an injected loader, a present file is library_unloadable (no native loader in this build)', async () => {
    const d = new VendorLibraryPhotoDecoder({ libraryPath: 'WltRS.dll', exists: async () => true });
    await expect(d.decode(wlt)).rejects.toMatchObject({ code: 'library_unloadable' });
  });

  it('decodes through an injected loader, loading the library once', async () => {
    let loads = 0;
    const d = new VendorLibraryPhotoDecoder({
      libraryPath: 'libwlt.so',
      exists: async () => true,
      loader: async () => {
        loads++;
        return { decodeWlt: async () => Uint8Array.of(0x42, 0x4d) };
      },
    });
    expect(await d.decode(wlt)).toEqual({ mime: 'image/bmp', bytes: Uint8Array.of(0x42, 0x4d) });
    await d.decode(wlt);
    expect(loads).toBe(1);
  });

  it('returns null for payloads that are not WLT, and decode_failed when the library fails', async () => {
    const d = new VendorLibraryPhotoDecoder({
      libraryPath: 'libwlt.so',
      exists: async () => true,
      loader: async () => ({
        decodeWlt: async () => {
          throw new Error('bad data');
        },
      }),
    });
    expect(await d.decode(Uint8Array.of(1, 2, 3, 4))).toBeNull();
    await expect(d.decode(wlt)).rejects.toMatchObject({ code: 'decode_failed' });
  });

  it('retries loading after a failure (the technician may fix the path)', async () => {
    let present = false;
    const d = new VendorLibraryPhotoDecoder({ libraryPath: 'libwlt.so', exists: async () => present, loader: async () => ({ decodeWlt: async () => Uint8Array.of(1) }) });
    await expect(d.decode(wlt)).rejects.toMatchObject({ code: 'library_missing' });
    present = true;
    await expect(d.decode(wlt)).resolves.toMatchObject({ mime: 'image/bmp' });
  });
});

describe('firstPhotoDecoder', () => {
  const fixed = (result: Awaited<ReturnType<PhotoDecoder['decode']>>): PhotoDecoder => ({ decode: async () => result });
  const failing: PhotoDecoder = {
    decode: async () => {
      throw new PhotoDecoderError('library_missing', 'x');
    },
  };

  it('returns the first image, past decoders that fail or decline', async () => {
    const img = { mime: 'image/png' as const, bytes: Uint8Array.of(1) };
    expect(await firstPhotoDecoder(failing, fixed(null), fixed(img)).decode(wlt)).toBe(img);
  });

  it('throws the first error when nobody decodes, null when nobody fails', async () => {
    await expect(firstPhotoDecoder(fixed(null), failing).decode(wlt)).rejects.toMatchObject({ code: 'library_missing' });
    expect(await firstPhotoDecoder(fixed(null)).decode(wlt)).toBeNull();
  });
});
