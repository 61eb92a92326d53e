/**
 * Card photos. The card stores a 1024-byte WLT image (starts `57 4C 66 00`, "WLf") that only the reader
 * vendor's closed library can decompress. A PhotoDecoder turns WLT bytes into an image or says "not
 * mine" (null); production configures the vendor library's path, emulated cards carry a photo the
 * emulator's decoder knows (emulators/idcard-photo.ts). Chain them with `firstPhotoDecoder`.
 */
import { access } from 'node:fs/promises';

export type PhotoMime = 'image/png' | 'image/jpeg' | 'image/bmp';

export interface DecodedPhoto {
  mime: PhotoMime;
  bytes: Uint8Array;
}

export interface PhotoDecoder {
  /** The image, or null when this decoder does not recognise the payload. Throws PhotoDecoderError. */
  decode(wlt: Uint8Array): Promise<DecodedPhoto | null>;
}

export type PhotoDecoderErrorCode = 'library_not_configured' | 'library_missing' | 'library_unloadable' | 'decode_failed';

export class PhotoDecoderError extends Error {
  constructor(
    readonly code: PhotoDecoderErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PhotoDecoderError';
  }
}

/** WLT payloads start with "WLf". */
export function looksLikeWlt(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x57 && bytes[1] === 0x4c && bytes[2] === 0x66;
}

/** What a loaded vendor library offers: WLT in, BMP out (102×126, 24-bit, as the vendor SDKs produce). */
export interface VendorWltLibrary {
  decodeWlt(wlt: Uint8Array): Promise<Uint8Array>;
}

export type VendorLibraryLoader = (libraryPath: string) => Promise<VendorWltLibrary>;

/**
 * The default loader: this build ships no native FFI binding, so it can only say whether the configured
 * file exists. Loading a real vendor DLL/.so is the packaging engineer's job (inject a loader).
 */
export const noNativeLoader: VendorLibraryLoader = async (libraryPath) => {
  throw new PhotoDecoderError('library_unloadable', `vendor photo library found at ${libraryPath}, but this build has no native loader for it`);
};

export interface VendorLibraryPhotoDecoderOptions {
  /** Configured path of the vendor library (e.g. `WltRS.dll`, `libwlt.so`); empty/undefined = not configured. */
  libraryPath: string | undefined;
  loader?: VendorLibraryLoader;
  /** Injected for tests; default checks the file system. */
  exists?: (path: string) => Promise<boolean>;
}

const fileExists = async (path: string): Promise<boolean> => {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
};

export class VendorLibraryPhotoDecoder implements PhotoDecoder {
  private library: Promise<VendorWltLibrary> | null = null;

  constructor(private readonly options: VendorLibraryPhotoDecoderOptions) {}

  async decode(wlt: Uint8Array): Promise<DecodedPhoto | null> {
    if (!looksLikeWlt(wlt)) return null;
    const lib = await this.load();
    let bmp: Uint8Array;
    try {
      bmp = await lib.decodeWlt(wlt);
    } catch (err) {
      throw new PhotoDecoderError('decode_failed', `vendor library could not decode the photo: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return { mime: 'image/bmp', bytes: bmp };
  }

  /** Load once; a failed load is retried on the next decode (the technician may fix the path). */
  private load(): Promise<VendorWltLibrary> {
    if (!this.library) {
      this.library = this.loadOnce();
      this.library.catch(() => {
        this.library = null;
      });
    }
    return this.library;
  }

  private async loadOnce(): Promise<VendorWltLibrary> {
    const path = this.options.libraryPath;
    if (!path) throw new PhotoDecoderError('library_not_configured', 'no vendor photo library is configured');
    if (!(await (this.options.exists ?? fileExists)(path))) throw new PhotoDecoderError('library_missing', `vendor photo library not found at ${path}`);
    try {
      return await (this.options.loader ?? noNativeLoader)(path);
    } catch (err) {
      if (err instanceof PhotoDecoderError) throw err;
      throw new PhotoDecoderError('library_unloadable', `cannot load vendor photo library ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

/**
 * Try decoders in order; the first that recognises the payload wins. A decoder that throws does not stop
 * the others; when none recognises the payload, the first error (if any) is thrown, else null.
 */
export function firstPhotoDecoder(...decoders: PhotoDecoder[]): PhotoDecoder {
  return {
    async decode(wlt) {
      let firstError: unknown = null;
      for (const d of decoders) {
        try {
          const image = await d.decode(wlt);
          if (image) return image;
        } catch (err) {
          firstError ??= err;
        }
      }
      if (firstError !== null) throw firstError;
      return null;
    },
  };
}
