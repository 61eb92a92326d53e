/**
 * Helpers for tests that run a day through a composed console (main/app.ts): call a contract method
 * on a channel as the renderer would, wait for a condition, and log the demo staff in. Synthetic data only.
 */
import type { ConsoleApp } from '../../main/app';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';

/** A contract call on `channelId` (a trusted sender); throws with the typed error's code and message. */
export async function callAs<T = unknown>(app: ConsoleApp, channelId: string, method: string, input: unknown = {}): Promise<T> {
  const r = await app.dispatcher.invoke(method, input, { channelId, trustedSender: true });
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

/** Polls `fn` every 20 ms until it returns something truthy; fails after `ms`. */
export async function until<T>(fn: () => T | null | undefined | false, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The demo hall's kiosk, clerk at 3号窗口, its rating pad and the supervisor, each on its own channel. */
export async function loginDemoStaff(app: ConsoleApp): Promise<void> {
  await callAs(app, 'kiosk', 'session.login', { userName: 'kiosk01', password: DEMO_PASSWORD, counterId: null });
  await callAs(app, 'clerk', 'session.login', { userName: 'clerk03', password: DEMO_PASSWORD, counterId: 'counter-03' });
  await callAs(app, 'pad', 'session.login', { userName: 'pad03', password: DEMO_PASSWORD, counterId: 'counter-03' });
  await callAs(app, 'super', 'session.login', { userName: 'super01', password: DEMO_PASSWORD, counterId: null });
}
