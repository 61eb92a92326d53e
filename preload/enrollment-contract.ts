/**
 * 注册本机 (enrollment with a one-time code from the hub) as it crosses the HallApi contract; technician
 * only. Imports nothing but zod (preload rule). docs/security.md "Enrollment".
 */
import { z } from 'zod';

export const EnrollmentStatus = z.object({
  /** The console id in the settings (what the next start syncs as). */
  consoleId: z.string().max(64),
  enrolled: z.boolean(),
  role: z.enum(['clerk', 'kiosk', 'supervisor']).nullable(),
  counter: z.number().int().min(1).max(999).nullable(),
  hall: z.string().max(60).nullable(),
  hubUrl: z.string().max(300).nullable(),
  enrolledAt: z.string().datetime({ offset: true }).nullable(),
  /** This console's Ed25519 public key (base64url), the one the hub registers. */
  publicKey: z.string().max(64),
  /** How the data key and the console key are kept: the OS key store, or 0600 files (headless host). */
  keyProtection: z.enum(['safe-storage', 'key-file']),
  /** Enrolled under another id than the running one: sync starts after a restart. */
  restartRequired: z.boolean(),
});
export type EnrollmentStatus = z.infer<typeof EnrollmentStatus>;

export const EnrollInput = z
  .object({
    /** The hub: ws://host:port/sync or http://host:port. */
    hubUrl: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .refine((s) => /^(wss?|https?):\/\/[^\s/@]+(\/[^\s]*)?$/i.test(s), '中心地址应为 ws://主机:端口/sync 或 http://主机:端口'),
    consoleId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, '工作台编号只能包含字母、数字、“_”或“-”'),
    /** As printed by `hall hub enroll-code`, e.g. 7KQ2M-XH9TD (case, spaces and hyphens ignored). */
    code: z.string().trim().min(8).max(32),
  })
  .strict();
export type EnrollInput = z.infer<typeof EnrollInput>;
