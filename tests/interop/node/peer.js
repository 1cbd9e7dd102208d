// The browser side of the Chromium interop peer: the five client tests and the
// echo server, run inside a page that chromium.js serves from http://127.0.0.1.
// The tests and payloads follow tests/interop/README.md exactly; aiortc_peer.py
// implements the same spec in Python.
//
// chromium.js calls these globals through page.evaluate():
//   interopRunClient(testName, offerUrl, timeoutMs) -> result object (never throws)
//   interopAnswer(offer) -> answer {type, sdp}          (server role)
// and exposes `interopSignal(url, bodyJson) -> {status, body}` (the HTTP POST is
// made by Node, so the page needs no CORS from the server under test) and
// `interopLog(line)` (server-side log lines, printed on stderr by Node).
'use strict';

// ---------------------------------------------------------------- payloads

const BASE_LEN = 65521; // prime, so fragment swaps show up
const BASE = new Uint8Array(BASE_LEN);
for (let i = 0; i < BASE_LEN; i++) {
  BASE[i] = Math.imul(i, 2654435761 | 0) >>> 24;
}

// payload(seed, n): n bytes, byte j = BASE[(seed*997 + j) mod 65521].
function payload(seed, n) {
  const out = new Uint8Array(n);
  let k = (seed * 997) % BASE_LEN;
  for (let j = 0; j < n; j++) {
    out[j] = BASE[k];
    k++;
    if (k === BASE_LEN) k = 0;
  }
  return out;
}

// textPayload(seed, n): a string of exactly n UTF-8 bytes: printable ASCII
// 0x21 + (payload byte mod 94), the last 3 bytes replaced by U+20AC when n >= 3.
function textPayload(seed, n) {
  const bytes = payload(seed, n);
  const ascii = n >= 3 ? n - 3 : n;
  let s = '';
  for (let j = 0; j < ascii; j++) s += String.fromCharCode(0x21 + (bytes[j] % 94));
  if (n >= 3) s += '\u20ac';
  return s;
}

const utf8 = new TextEncoder();
function byteLen(m) {
  return typeof m === 'string' ? utf8.encode(m).length : m.byteLength;
}
function kind(m) {
  return typeof m === 'string' ? 'text' : 'binary';
}
function sameMessage(a, b) {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const x = new Uint8Array(a), y = new Uint8Array(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
function describe(m) {
  return m === undefined ? 'nothing' : `${kind(m)} of ${byteLen(m)} B`;
}
function msgKey(m) {
  // A key for multiset comparison on unordered channels.
  if (typeof m === 'string') return 't:' + m;
  const x = new Uint8Array(m);
  let h = 2166136261;
  for (let i = 0; i < x.length; i++) h = Math.imul(h ^ x[i], 16777619);
  return `b:${x.length}:${h >>> 0}`;
}

// dc-echo sizes: 1 + floor(i^3 * 16383 / 117649), i = 0..49 (1 B .. 16 KiB).
function echoSize(i) {
  return 1 + Math.floor((i * i * i * 16383) / 117649);
}

// ---------------------------------------------------------------- helpers

const t0 = performance.now();
function now() {
  return Math.round(performance.now() - t0);
}
function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

class TestFailure extends Error {}
function fail(msg) {
  throw new TestFailure(msg);
}

// Tracks every state a peer connection and its channels go through.
function watch(pc, log) {
  const rec = (what) => log.push(`${now()}ms ${what}`);
  pc.addEventListener('connectionstatechange', () => rec(`connectionState=${pc.connectionState}`));
  pc.addEventListener('iceconnectionstatechange', () => rec(`iceConnectionState=${pc.iceConnectionState}`));
  pc.addEventListener('icegatheringstatechange', () => rec(`iceGatheringState=${pc.iceGatheringState}`));
  pc.addEventListener('signalingstatechange', () => rec(`signalingState=${pc.signalingState}`));
  pc.addEventListener('icecandidate', (e) => rec(`icecandidate ${e.candidate ? e.candidate.candidate : '(end)'}`));
  return rec;
}
function watchChannel(dc, rec) {
  const name = () => `channel "${dc.label}" id=${dc.id}`;
  dc.addEventListener('open', () => rec(`${name()} open`));
  dc.addEventListener('close', () => rec(`${name()} close`));
  dc.addEventListener('closing', () => rec(`${name()} closing`));
  dc.addEventListener('error', (e) => rec(`${name()} error ${e.error ? e.error.message : ''}`));
}

function waitGatheringComplete(pc, ms = 10000) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pc.removeEventListener('icegatheringstatechange', check);
      reject(new TestFailure(`ICE gathering not complete after ${ms} ms (state ${pc.iceGatheringState})`));
    }, ms);
    const check = () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      }
    };
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function waitOpen(dc) {
  if (dc.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    dc.addEventListener('open', () => resolve(), { once: true });
    dc.addEventListener('close', () => reject(new TestFailure(`channel "${dc.label}" closed before open`)), {
      once: true,
    });
  });
}

// Collects incoming messages; `until(n)` resolves when n have arrived.
function collector(dc) {
  const got = [];
  let want = Infinity;
  let wake = null;
  dc.binaryType = 'arraybuffer';
  dc.addEventListener('message', (e) => {
    got.push(e.data);
    if (got.length >= want && wake) wake();
  });
  return {
    got,
    until(n) {
      want = n;
      if (got.length >= n) return Promise.resolve();
      return new Promise((r) => (wake = r));
    },
  };
}

function checkSequence(label, expected, got) {
  for (let i = 0; i < expected.length; i++) {
    if (i >= got.length) fail(`${label}: only ${got.length} of ${expected.length} echoes arrived`);
    if (kind(expected[i]) !== kind(got[i]) || !sameMessage(expected[i], got[i])) {
      fail(`${label}: echo #${i} differs: sent ${describe(expected[i])}, got ${describe(got[i])}`);
    }
  }
  if (got.length > expected.length) fail(`${label}: ${got.length - expected.length} extra messages`);
}

function checkMultiset(label, expected, got) {
  if (got.length !== expected.length) fail(`${label}: ${got.length} of ${expected.length} echoes arrived`);
  const count = new Map();
  for (const m of expected) count.set(msgKey(m), (count.get(msgKey(m)) || 0) + 1);
  for (const m of got) {
    const k = msgKey(m);
    const c = count.get(k) || 0;
    if (c === 0) fail(`${label}: unexpected echo (${describe(m)})`);
    count.set(k, c - 1);
  }
}

// ---------------------------------------------------------------- tests
// Each test: {channels: [[label, init], ...], run(ctx)} where ctx.dcs holds the
// open channels in the same order; run() returns {detail, extra}.

const TESTS = {
  'dc-echo': {
    channels: [['dc-echo', {}]],
    async run({ dcs }) {
      const dc = dcs[0];
      const col = collector(dc);
      const sent = [];
      for (let i = 0; i < 50; i++) {
        sent.push(textPayload(i, echoSize(i)));
        sent.push(payload(1000 + i, echoSize(i)).buffer);
      }
      sent.push(payload(2000, 65536).buffer);
      const start = performance.now();
      for (const m of sent) dc.send(m);
      await col.until(sent.length);
      checkSequence('dc-echo', sent, col.got);
      const ms = Math.round(performance.now() - start);
      return {
        detail: `101 messages (50 text, 50 binary of 1..16384 B, 1 binary of 65536 B) echoed intact and in order in ${ms} ms`,
      };
    },
  },

  'dc-multi': {
    channels: [
      ['ordered', {}],
      ['unordered', { ordered: false }],
      ['max-retransmits-0', { ordered: false, maxRetransmits: 0 }],
      ['max-packet-lifetime-100', { ordered: true, maxPacketLifeTime: 100 }],
      ['negotiated', { negotiated: true, id: 42 }],
      ['\u00fcnicode-\u03bb', { protocol: 'interop.v1' }],
    ],
    async run({ dcs }) {
      const expectProps = [
        { ordered: true, maxRetransmits: null, maxPacketLifeTime: null, protocol: '' },
        { ordered: false, maxRetransmits: null, maxPacketLifeTime: null, protocol: '' },
        { ordered: false, maxRetransmits: 0, maxPacketLifeTime: null, protocol: '' },
        { ordered: true, maxRetransmits: null, maxPacketLifeTime: 100, protocol: '' },
        { ordered: true, maxRetransmits: null, maxPacketLifeTime: null, protocol: '', id: 42, negotiated: true },
        { ordered: true, maxRetransmits: null, maxPacketLifeTime: null, protocol: 'interop.v1' },
      ];
      dcs.forEach((dc, c) => {
        for (const [k, v] of Object.entries(expectProps[c])) {
          if (dc[k] !== v) fail(`channel "${dc.label}": ${k} is ${dc[k]}, expected ${v}`);
        }
      });
      const cols = dcs.map(collector);
      const sent = dcs.map((_, c) => {
        const msgs = [];
        for (let k = 0; k < 18; k++) {
          const seed = 100 * (c + 1) + k;
          msgs.push(k % 2 === 0 ? textPayload(seed, 1 + 50 * k) : payload(seed, 1 + 50 * k).buffer);
        }
        msgs.push('');
        msgs.push(new ArrayBuffer(0));
        return msgs;
      });
      // Interleave sends across channels so they are all in flight at once.
      for (let k = 0; k < 20; k++) dcs.forEach((dc, c) => dc.send(sent[c][k]));
      await Promise.all(cols.map((col, c) => col.until(sent[c].length)));
      dcs.forEach((dc, c) => {
        const label = `dc-multi "${dc.label}"`;
        if (dc.ordered) checkSequence(label, sent[c], cols[c].got);
        else checkMultiset(label, sent[c], cols[c].got);
      });
      return { detail: '6 channels (ordered, unordered, maxRetransmits 0, maxPacketLifeTime 100, negotiated id 42, protocol+UTF-8 label) x 20 messages echoed' };
    },
  },

  'dc-large': {
    channels: [['dc-large', {}]],
    async run({ dcs }) {
      const dc = dcs[0];
      const col = collector(dc);
      const msg = payload(3000, 262144).buffer;
      const start = performance.now();
      dc.send(msg);
      await col.until(1);
      checkSequence('dc-large', [msg], col.got);
      return { detail: `one 262144 B binary message echoed intact in ${Math.round(performance.now() - start)} ms` };
    },
  },

  'dc-bulk': {
    channels: [['dc-bulk', {}]],
    async run({ dcs }) {
      const dc = dcs[0];
      const N = 512, SIZE = 16384, LOW = 256 * 1024, HIGH = 1024 * 1024;
      const col = collector(dc);
      dc.bufferedAmountLowThreshold = LOW;
      const start = performance.now();
      let sent = 0;
      while (sent < N) {
        while (sent < N && dc.bufferedAmount <= HIGH) {
          dc.send(payload(sent, SIZE));
          sent++;
        }
        if (sent < N) {
          await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
        }
      }
      await col.until(N);
      const secs = (performance.now() - start) / 1000;
      for (let i = 0; i < N; i++) {
        const m = col.got[i];
        if (typeof m === 'string' || m.byteLength !== SIZE || !sameMessage(m, payload(i, SIZE).buffer)) {
          fail(`dc-bulk: echo #${i} differs: got ${describe(m)}`);
        }
      }
      if (col.got.length !== N) fail(`dc-bulk: ${col.got.length - N} extra messages`);
      const mbps = Math.round(((N * SIZE) / 1e6 / secs) * 100) / 100;
      return {
        detail: `8388608 B in 512 x 16384 B messages echoed in order in ${Math.round(secs * 1000)} ms: ${mbps} MB/s`,
        extra: { mb_per_s: mbps },
      };
    },
  },

  close: {
    channels: [['close', {}]],
    async run({ pc, dcs, rec }) {
      const dc = dcs[0];
      const col = collector(dc);
      dc.send('before-close');
      await col.until(1);
      checkSequence('close', ['before-close'], col.got);
      const closed = new Promise((r) => dc.addEventListener('close', r, { once: true }));
      const start = performance.now();
      dc.close();
      await closed;
      const closeMs = Math.round(performance.now() - start);
      if (dc.readyState !== 'closed') fail(`close: readyState ${dc.readyState} after close event`);
      // The association must still work: a new channel opens and echoes.
      const dc2 = pc.createDataChannel('after-close');
      watchChannel(dc2, rec);
      const col2 = collector(dc2);
      await waitOpen(dc2);
      dc2.send('after-close');
      await col2.until(1);
      checkSequence('close/after-close', ['after-close'], col2.got);
      if (pc.connectionState !== 'connected') fail(`close: connectionState ${pc.connectionState}`);
      return { detail: `channel closed on both sides ${closeMs} ms after close(); a new channel then opened and echoed` };
    },
  },
};

// ---------------------------------------------------------------- client role

async function candidatePairSummary(pc) {
  try {
    const stats = await pc.getStats();
    const byId = new Map();
    stats.forEach((s) => byId.set(s.id, s));
    const lines = [];
    stats.forEach((s) => {
      if (s.type === 'candidate-pair') {
        const l = byId.get(s.localCandidateId) || {};
        const r = byId.get(s.remoteCandidateId) || {};
        lines.push(
          `pair ${l.address}:${l.port}/${l.candidateType} -> ${r.address}:${r.port}/${r.candidateType} state=${s.state} nominated=${s.nominated} sent=${s.bytesSent} recv=${s.bytesReceived}`,
        );
      }
    });
    return lines;
  } catch (e) {
    return [`getStats failed: ${e}`];
  }
}

window.interopRunClient = async function (testName, url, timeoutMs) {
  const test = TESTS[testName];
  const log = [];
  const out = { test: testName, ok: false, ms_to_open: null, detail: '' };
  if (!test) {
    out.detail = `unknown test ${testName}; known: ${Object.keys(TESTS).join(', ')}`;
    return { result: out, diag: {} };
  }
  const diag = { offer: null, answer: null, log };
  let pc = null;
  const started = performance.now();
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TestFailure(`timeout after ${timeoutMs} ms`)), timeoutMs);
  });
  let abort;
  const aborted = new Promise((_, reject) => (abort = reject));
  const body = async () => {
    pc = new RTCPeerConnection({ iceServers: [] });
    const rec = watch(pc, log);
    // Fail fast: a failed connection never recovers without an ICE restart.
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') abort(new TestFailure('connectionState became failed'));
    });
    const dcs = test.channels.map(([label, init]) => {
      const dc = pc.createDataChannel(label, init);
      dc.binaryType = 'arraybuffer';
      watchChannel(dc, rec);
      return dc;
    });
    const opened = Promise.all(dcs.map(waitOpen));
    opened.catch(() => {});
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await waitGatheringComplete(pc);
    diag.offer = pc.localDescription.sdp;
    const reply = await window.interopSignal(url, JSON.stringify({ type: 'offer', sdp: pc.localDescription.sdp }));
    rec(`POST ${url} -> HTTP ${reply.status}`);
    if (reply.status !== 200) fail(`POST ${url}: HTTP ${reply.status}: ${reply.body.slice(0, 500)}`);
    let answer;
    try {
      answer = JSON.parse(reply.body);
    } catch (e) {
      fail(`POST ${url}: answer is not JSON: ${reply.body.slice(0, 200)}`);
    }
    if (answer.type !== 'answer' || typeof answer.sdp !== 'string') fail(`POST ${url}: not an answer: ${reply.body.slice(0, 200)}`);
    diag.answer = answer.sdp;
    await pc.setRemoteDescription(answer);
    await opened;
    out.ms_to_open = Math.round(performance.now() - started);
    rec('all channels open');
    const r = await test.run({ pc, dcs, rec });
    out.detail = r.detail;
    Object.assign(out, r.extra || {});
    out.ok = true;
  };
  try {
    await Promise.race([body(), timeout, aborted]);
  } catch (e) {
    out.ok = false;
    out.detail = e instanceof TestFailure ? e.message : `${e && e.name}: ${e && e.message}`;
  } finally {
    clearTimeout(timer);
  }
  if (!out.ok && pc) {
    diag.states = {
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      iceGatheringState: pc.iceGatheringState,
      signalingState: pc.signalingState,
    };
    diag.stats = await candidatePairSummary(pc);
  }
  if (pc) pc.close();
  return { result: out, diag };
};

// ---------------------------------------------------------------- server role

let nextConn = 1;
const conns = new Map();

function echoOn(dc, slog) {
  dc.binaryType = 'arraybuffer';
  let n = 0, bytes = 0;
  dc.addEventListener('open', () => slog(`channel "${dc.label}" id=${dc.id} open (ordered=${dc.ordered} maxRetransmits=${dc.maxRetransmits} maxPacketLifeTime=${dc.maxPacketLifeTime} protocol="${dc.protocol}")`));
  dc.addEventListener('message', (e) => {
    n++;
    bytes += byteLen(e.data);
    try {
      dc.send(e.data);
    } catch (err) {
      slog(`channel "${dc.label}" id=${dc.id} echo failed: ${err}`);
    }
  });
  dc.addEventListener('close', () => slog(`channel "${dc.label}" id=${dc.id} closed after echoing ${n} messages, ${bytes} B`));
}

window.interopAnswer = async function (offer) {
  const id = nextConn++;
  const slog = (line) => window.interopLog(`conn ${id}: ${now()}ms ${line}`);
  const pc = new RTCPeerConnection({ iceServers: [] });
  conns.set(id, pc);
  pc.addEventListener('connectionstatechange', () => {
    slog(`connectionState=${pc.connectionState}`);
    if (['failed', 'closed', 'disconnected'].includes(pc.connectionState)) {
      // Free connections that end (disconnected: the client went away).
      setTimeout(() => {
        if (['failed', 'closed', 'disconnected'].includes(pc.connectionState)) {
          pc.close();
          conns.delete(id);
          slog('freed');
        }
      }, pc.connectionState === 'disconnected' ? 5000 : 0);
    }
  });
  pc.addEventListener('iceconnectionstatechange', () => slog(`iceConnectionState=${pc.iceConnectionState}`));
  pc.addEventListener('datachannel', (e) => {
    slog(`datachannel "${e.channel.label}" id=${e.channel.id}`);
    echoOn(e.channel, slog);
  });
  echoOn(pc.createDataChannel('negotiated', { negotiated: true, id: 42 }), slog);
  slog(`offer:\n${offer.sdp}`);
  try {
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    // An offer without m-sections gathers nothing (the state stays "new").
    if (pc.sctp || pc.getTransceivers().length > 0) await waitGatheringComplete(pc);
  } catch (e) {
    slog(`rejected: ${e.name}: ${e.message}`);
    pc.close();
    conns.delete(id);
    throw e;
  }
  slog(`answer:\n${pc.localDescription.sdp}`);
  return { type: 'answer', sdp: pc.localDescription.sdp };
};

// Chromium gathers no host candidate in a namespace whose only interface is
// lo unless the page holds a media permission: ask for it once, with
// --use-fake-ui-for-media-stream answering yes.
window.interopReady = (async () => {
  try {
    const s = await navigator.mediaDevices.getUserMedia({ audio: true });
    s.getTracks().forEach((t) => t.stop());
    return 'media permission granted';
  } catch (e) {
    return `getUserMedia failed: ${e}`;
  }
})();
