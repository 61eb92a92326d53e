/**
 * The ID-card driver's public surface (GA 467 SAM readers): what the registry, services, contract and
 * CLI use. Emulators live in drivers/emulators/ (idcard-rig.ts builds a complete emulated reader).
 */
export { decodeCardText, displayName, documentNumber } from './card';
export type { CardDecodeError, CardDecodeResult, ForeignPermanentResidence2017, ForeignPermanentResidence2023, HmtResidencePermit, IdCardKind, IdCardRecord, IsoDate, ResidentIdCard, ValidTo } from './card';
export { genderLabel, NATIONS, nationFromCode } from './codes';
export type { Gender, Nation } from './codes';
export { IdCardDevice } from './device';
export type { IdCardDeviceOptions } from './device';
export { decodeSamHex } from './diag';
export type { DiagResult, JsonValue } from './diag';
export { benchIdcard } from './bench';
export type { BenchFigure } from './bench';
export { IDCARD_ERROR_MESSAGES } from './errors';
export type { IdCardError, IdCardErrorCode, IdCardStep } from './errors';
export { encodeAnswer, encodeCommand, parseFrame, samDeframer } from './frame';
export type { SamAnswerFrame, SamCommandFrame, SamFrame, SamFramingError } from './frame';
export { validateForeignPermanentNumber, validateIdNumber } from './id-number';
export type { IdNumberCheck } from './id-number';
export { HidFrameReassembler, samPacketizer } from './packet';
export type { SamFraming } from './packet';
export { firstPhotoDecoder, PhotoDecoderError, VendorLibraryPhotoDecoder } from './photo';
export type { DecodedPhoto, PhotoDecoder, PhotoDecoderErrorCode, VendorLibraryLoader, VendorWltLibrary } from './photo';
export { describeStatus, SAM_COMMANDS } from './protocol';
export type { SamCommandName, SamStatusName } from './protocol';
export { cardLogSummary, createSamLink, DEFAULT_IDCARD_TIMEOUTS, IdCardReader } from './reader';
export type { IdCardPhoto, IdCardReadOptions, IdCardReadOutcome, IdCardReadSuccess, IdCardTimeouts, SamChannel, SamLink } from './reader';
export { checkValidity, isExpired } from './validity';
export type { CardValidity, CardValidityStatus } from './validity';
