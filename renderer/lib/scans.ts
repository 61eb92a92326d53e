/**
 * What a scan does in the renderer, whichever scanner made it: with a text field focused, the code
 * lands in that field; otherwise it is shown as what it is (ticket, receipt, payment code…).
 * Keyboard-wedge scans are detected here (renderer/lib/wedge-dom.ts) and classified by main.
 */
import type { ScanView } from '../../preload/contract';
import { hall } from '../bridge';
import { attachWedgeScanner } from './wedge-dom';

export const SCAN_KIND_LABELS: Record<ScanView['kind'], string> = {
  wechat_pay: '微信付款码',
  alipay: '支付宝付款码',
  unionpay: '云闪付付款码',
  hall_receipt: '办件回执码',
  hall_ticket: '排队号票码',
  eid: '电子身份证码',
  other: '条码',
};

function editableFocus(doc: Document): HTMLInputElement | HTMLTextAreaElement | null {
  const el = doc.activeElement;
  if (el instanceof HTMLTextAreaElement) return el.readOnly || el.disabled ? null : el;
  if (el instanceof HTMLInputElement && ['text', 'search', 'tel', 'number', ''].includes(el.type)) return el.readOnly || el.disabled ? null : el;
  return null;
}

/** Put text into a (React-controlled) field the way typing would. */
function typeInto(field: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  field.focus();
  if (!field.ownerDocument.execCommand('insertText', false, text)) {
    field.setRangeText(text, field.selectionStart ?? field.value.length, field.selectionEnd ?? field.value.length, 'end');
    field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
  }
}

/** Route a classified scan: into the focused field, or to `onAction` for the screen to show/act. */
export function routeScan(scan: ScanView, doc: Document, onAction: (scan: ScanView) => void): 'field' | 'action' {
  const field = editableFocus(doc);
  if (field) {
    typeInto(field, scan.text);
    onAction(scan);
    return 'field';
  }
  onAction(scan);
  return 'action';
}

/** Listen for wedge scans on the window; each is classified by main and routed. Returns detach. */
export function listenForWedgeScans(win: Window, onAction: (scan: ScanView) => void): () => void {
  return attachWedgeScanner(win, {
    onScan: ({ text }) => {
      void hall()
        .scanner.submit({ text })
        .then((r) => {
          if (r.ok) routeScan(r.value, win.document, onAction);
        });
    },
  });
}
