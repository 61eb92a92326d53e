/**
 * The hub as witness of each console's audit chain (docs/security.md "Audit chain"): an `audit.head`
 * mutation is stored like any other (no bucket), after its signature is checked with the key the
 * console enrolled with. A head that does not verify, or that names another console, is rejected
 * (quarantined, and the console sees it in its needs-correction list).
 */
import type { KeyObject } from 'node:crypto';
import { AUDIT_HEAD_MUTATION, AuditHead, verifyAuditHeadSignature } from '../../main/security/audit-chain';
import type { MutationValidator } from './store/types';

export function auditHeadValidator(publicKey: KeyObject): MutationValidator {
  return (mutation, { consoleId }) => {
    if (mutation.type !== AUDIT_HEAD_MUTATION) return null;
    const head = AuditHead.safeParse(mutation.payload);
    if (!head.success) {
      const issue = head.error.issues[0];
      return `audit_head: ${issue?.path.join('.') || '(payload)'}: ${issue?.message ?? 'invalid'}`;
    }
    if (head.data.consoleId !== consoleId) return `audit_head: the head names console ${head.data.consoleId}, not ${consoleId}`;
    if (!verifyAuditHeadSignature(publicKey, head.data)) return `audit_head: the signature does not verify with console ${consoleId}'s enrolled key`;
    return null;
  };
}

/** The first reason any validator gives, or null. */
export function allValidators(...validators: readonly MutationValidator[]): MutationValidator {
  return (mutation, ctx) => {
    for (const v of validators) {
      const why = v(mutation, ctx);
      if (typeof why === 'string') return why;
    }
    return null;
  };
}
