// The simulated consoles of `hall bench sync`'s fan-out (main/bench/sync.ts), in a worker thread of
// their own: real consoles are other machines, so their parsing must not sit on the hub's event loop.
// Plain JavaScript (no loader needed in the worker): raw websockets speaking the sync protocol
// (sync/protocol.ts) — a hello signed by the main thread, a pull of the catalog, a pull on every poke.
// Times are absolute (performance.timeOrigin + now()), comparable with the main thread's.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, hellos, wave } = workerData;
const now = () => performance.timeOrigin + performance.now();
const sims = [];

function simConsole(hello) {
  const id = JSON.parse(hello).consoleId;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const sim = { id, ws, cursor: '', changes: 0, onCheckpoint: null, onPong: null };
    const send = (m) => ws.send(JSON.stringify(m));
    sim.pull = () => send({ type: 'pull', bucket: 'catalog', cursor: sim.cursor });
    sim.send = send;
    sim.onCheckpoint = () => resolve(sim);
    ws.once('error', reject);
    ws.on('open', () => ws.send(hello));
    ws.on('message', (data) => {
      let m;
      try {
        m = JSON.parse(String(data));
      } catch {
        return reject(new Error(`console ${id}: a frame that is not JSON`));
      }
      switch (m.type) {
        case 'welcome':
          return sim.pull();
        case 'poke':
          if (!Array.isArray(m.buckets) || m.buckets.includes('catalog')) sim.pull();
          return;
        case 'changes':
          sim.changes += m.changes.length;
          return;
        case 'checkpoint': {
          sim.cursor = m.cursor;
          const n = sim.changes;
          sim.changes = 0;
          send({ type: 'checkpoint_ack', bucket: m.bucket, cursor: m.cursor });
          sim.onCheckpoint?.(n);
          return;
        }
        case 'pong':
          sim.onPong?.();
          return;
        case 'error':
          return reject(new Error(`console ${id}: hub error ${m.code}: ${m.message}`));
        default:
          return;
      }
    });
  });
}

function all(fn) {
  return Promise.all(sims.map(fn));
}

async function start() {
  for (let i = 0; i < hellos.length; i += wave) sims.push(...(await Promise.all(hellos.slice(i, i + wave).map(simConsole))));
  for (const s of sims) s.onCheckpoint = null;
  parentPort.postMessage({ type: 'ready', connected: sims.length });
}

parentPort.on('message', (msg) => {
  if (msg.type === 'ping') {
    void all(
      (s) =>
        new Promise((resolve) => {
          const t0 = now();
          s.onPong = () => {
            s.onPong = null;
            resolve(now() - t0);
          };
          s.send({ type: 'ping', at: new Date().toISOString() });
        }),
    ).then((ms) => parentPort.postMessage({ type: 'pings', ms }));
  } else if (msg.type === 'arm') {
    // Each console's time of the first checkpoint that brings a change (its poke → pull → changes).
    void all(
      (s) =>
        new Promise((resolve) => {
          s.onCheckpoint = (n) => {
            if (n === 0) return;
            s.onCheckpoint = null;
            resolve(now());
          };
        }),
    ).then((at) => parentPort.postMessage({ type: 'arrived', at }));
    parentPort.postMessage({ type: 'armed' });
  } else if (msg.type === 'close') {
    void all(
      (s) =>
        new Promise((resolve) => {
          if (s.ws.readyState === WebSocket.CLOSED) return resolve();
          s.ws.once('close', resolve);
          s.ws.close(1000);
          setTimeout(() => {
            s.ws.terminate();
            resolve();
          }, 2000).unref();
        }),
    ).then(() => parentPort.postMessage({ type: 'closed' }));
  }
});

start().catch((err) => parentPort.postMessage({ type: 'failed', error: err instanceof Error ? err.message : String(err) }));
