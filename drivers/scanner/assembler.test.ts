import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ScanAssembler, type AssemblerOutput } from './assembler';
import type { HidPosReport } from './hidpos';

function rep(data: string | Uint8Array, continued: boolean, aim: string | null = ']Q1'): HidPosReport {
  return { reportId: 2, aim, data: typeof data === 'string' ? new TextEncoder().encode(data) : data, continued, vendorCodeId: null, shift: 0 };
}

const summary = (outs: AssemblerOutput[]) => outs.map((o) => (o.type === 'scan' ? `scan:${o.scan.text}` : `error:${o.error.code}`));

describe('ScanAssembler', () => {
  it('passes a single-report code straight through', () => {
    const a = new ScanAssembler();
    const [out] = a.push(rep('6901234567892', false, ']E0'), 0);
    expect(out).toEqual({
      type: 'scan',
      scan: { text: '6901234567892', encoding: 'utf-8', lossy: false, symbology: { aim: ']E0', name: 'EAN-13', family: 'ean-upc' }, byteLength: 13, reports: 1, vendorCodeId: null },
    });
    expect(a.hasPending).toBe(false);
    expect(a.deadline).toBeNull();
  });

  it('joins a code spread over three reports', () => {
    const a = new ScanAssembler();
    expect(a.push(rep('HALL1:R:', true), 0)).toEqual([]);
    expect(a.deadline).toBe(500);
    expect(a.push(rep('HALL01-20261126-C03-0042', true), 2)).toEqual([]);
    const out = a.push(rep(':c2lnbmF0dXJl', false), 4);
    expect(summary(out)).toEqual(['scan:HALL1:R:HALL01-20261126-C03-0042:c2lnbmF0dXJl']);
    expect(out[0]?.type === 'scan' && out[0].scan.reports).toBe(3);
  });

  it('joins a multi-byte character split across two reports before decoding it', () => {
    const bytes = new TextEncoder().encode('办'); // 3 bytes
    const a = new ScanAssembler();
    a.push(rep(bytes.subarray(0, 1), true), 0);
    expect(summary(a.push(rep(bytes.subarray(1), false), 1))).toEqual(['scan:办']);
  });

  it('decodes GB18030 content of a multi-report code', () => {
    const gb = new Uint8Array(iconv.encode('政务服务', 'gb18030'));
    const a = new ScanAssembler();
    a.push(rep(gb.subarray(0, 3), true), 0);
    const [out] = a.push(rep(gb.subarray(3), false), 1);
    expect(out?.type === 'scan' && [out.scan.text, out.scan.encoding]).toEqual(['政务服务', 'gb18030']);
  });

  it('drops one trailing CR/LF suffix by default, keeps it when asked', () => {
    expect(summary(new ScanAssembler().push(rep('ABC\r\n', false), 0))).toEqual(['scan:ABC']);
    expect(summary(new ScanAssembler().push(rep('ABC\r', false), 0))).toEqual(['scan:ABC']);
    expect(summary(new ScanAssembler().push(rep('ABC\n\n', false), 0))).toEqual(['scan:ABC\n']);
    expect(summary(new ScanAssembler({ stripTrailingNewline: false }).push(rep('ABC\r', false), 0))).toEqual(['scan:ABC\r']);
  });

  it('times out a half-received code with a typed error and starts the next one cleanly', () => {
    const a = new ScanAssembler({ timeoutMs: 100 });
    a.push(rep('first half', true), 0);
    expect(a.expire(100)).toEqual([]); // exactly at the limit: still waiting
    const [timeout] = a.expire(101);
    expect(timeout?.type === 'error' && timeout.error.code).toBe('incomplete_timeout');
    expect(timeout?.type === 'error' && timeout.error.message).not.toContain('first half'); // never the content
    expect(a.hasPending).toBe(false);
    expect(summary(a.push(rep('next', false), 150))).toEqual(['scan:next']);
  });

  it('reports the overdue code before the report that arrives late', () => {
    const a = new ScanAssembler({ timeoutMs: 100 });
    a.push(rep('stale', true), 0);
    expect(summary(a.push(rep('fresh', false), 500))).toEqual(['error:incomplete_timeout', 'scan:fresh']);
  });

  it('refuses a code whose AIM id changes half-way, keeping the new report as a fresh code', () => {
    const a = new ScanAssembler();
    a.push(rep('part', true, ']Q1'), 0);
    expect(summary(a.push(rep('6901234567892', false, ']E0'), 1))).toEqual(['error:aim_changed', 'scan:6901234567892']);
  });

  it('refuses a code above maxBytes and skips its remaining reports', () => {
    const a = new ScanAssembler({ maxBytes: 10 });
    a.push(rep('123456', true), 0);
    expect(summary(a.push(rep('789012', true), 1))).toEqual(['error:too_long']);
    expect(a.push(rep('more of it', true), 2)).toEqual([]);
    expect(a.push(rep('end of it', false), 3)).toEqual([]);
    expect(summary(a.push(rep('next', false), 4))).toEqual(['scan:next']);
  });

  it('stops skipping when the rest of a too-long code never comes', () => {
    const a = new ScanAssembler({ maxBytes: 4, timeoutMs: 50 });
    expect(summary(a.push(rep('12345', true), 0))).toEqual(['error:too_long']);
    expect(a.deadline).toBe(50);
    expect(summary(a.push(rep('next', false), 100))).toEqual(['scan:next']);
  });

  it('reports a code cut off by a disconnect', () => {
    const a = new ScanAssembler();
    expect(a.interrupt()).toEqual([]);
    a.push(rep('half', true), 0);
    expect(summary(a.interrupt())).toEqual(['error:interrupted']);
    expect(a.hasPending).toBe(false);
  });
});
