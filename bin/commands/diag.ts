import { decodeSamHex } from '../../drivers/idcard/diag';
import { decodeEscposHex } from '../../drivers/printer/diag';
import { decodeHidPosHex } from '../../drivers/scanner/diag';
import { HIDPOS_VENDORS, profileForVendorId, type HidPosVendor } from '../../drivers/scanner/hidpos';
import { listHidDevices } from '../../drivers/transports/hid';
import { listSerialPorts } from '../../drivers/transports/serial';
import { listUsbPrinters } from '../../drivers/transports/usb-printer';
import { print, requireOption, stringOption, UsageError, type Command } from '../command';

const PROTOCOLS = ['sam', 'hidpos', 'escpos'] as const;

export const diagDecodeCommand: Command = {
  name: 'diag decode',
  summary: 'decode a captured frame or byte stream (SAM card reader, HID POS scanner, ESC/POS printer); personal data masked unless --reveal',
  options: {
    protocol: { type: 'string', description: `one of ${PROTOCOLS.join(', ')}` },
    hex: { type: 'string', description: 'the bytes as hex (spaces allowed)' },
    vendor: { type: 'string', description: `hidpos only: ${HIDPOS_VENDORS.join(', ')} (default generic)` },
    reveal: { type: 'boolean', description: 'sam only: show names and ID numbers unmasked (personal data!)' },
  },
  run(ctx) {
    const protocol = requireOption(ctx, 'protocol');
    const hex = requireOption(ctx, 'hex');
    let result: { ok: true; value: unknown } | { ok: false; error: string };
    if (protocol === 'sam') {
      result = decodeSamHex(hex, { reveal: Boolean(ctx.values.reveal) });
    } else if (protocol === 'hidpos') {
      const vendor = stringOption(ctx, 'vendor');
      if (vendor !== undefined && !(HIDPOS_VENDORS as readonly string[]).includes(vendor)) throw new UsageError(`--vendor must be one of ${HIDPOS_VENDORS.join(', ')}`);
      result = decodeHidPosHex(hex, vendor ? { vendor: vendor as HidPosVendor } : {});
    } else if (protocol === 'escpos') {
      result = decodeEscposHex(hex);
    } else {
      throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(', ')}`);
    }
    if (!result.ok) throw new Error(result.error);
    print(ctx, result.value, JSON.stringify(result.value, null, 2));
  },
};

export const diagDevicesCommand: Command = {
  name: 'diag devices',
  summary: 'list the hall devices this machine can see: HID devices (scanners, HID card readers), serial ports, USB printers',
  async run(ctx) {
    const [hid, serial, printers] = await Promise.all([
      listHidDevices().catch((err: Error) => ({ error: err.message })),
      listSerialPorts().catch((err: Error) => ({ error: err.message })),
      listUsbPrinters().catch((err: Error) => ({ error: err.message })),
    ]);
    const hidRows = Array.isArray(hid)
      ? hid.map((d) => ({
          transportId: d.transportId,
          vendorId: `0x${d.vendorId.toString(16).padStart(4, '0')}`,
          productId: `0x${d.productId.toString(16).padStart(4, '0')}`,
          product: d.product ?? null,
          usagePage: d.usagePage ?? null,
          scannerProfile: profileForVendorId(d.vendorId)?.vendor ?? null,
        }))
      : hid;
    const value = { hid: hidRows, serial, usbPrinters: printers };
    const count = (v: unknown) => (Array.isArray(v) ? `${v.length}` : `error: ${(v as { error: string }).error}`);
    const human = [`HID devices: ${count(hidRows)}`, ...(Array.isArray(hidRows) ? hidRows.map((d) => `  ${d.transportId} ${d.product ?? ''}${d.scannerProfile ? ` (scanner profile ${d.scannerProfile})` : ''}`) : []),
      `serial ports: ${count(serial)}`, ...(Array.isArray(serial) ? serial.map((p) => `  ${p.transportId}`) : []),
      `USB printers: ${count(printers)}`, ...(Array.isArray(printers) ? printers.map((p) => `  ${p.path}`) : [])].join('\n');
    print(ctx, value, human);
  },
};
