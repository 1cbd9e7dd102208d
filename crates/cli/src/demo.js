// The demo page of `rtcpeer serve` (served at /demo.js): connects to the server over WebRTC,
// shows the connection, ICE and signaling states live as badges, and runs a chat on a data
// channel that the server echoes, with each message's round-trip time.
//
// tests/interop/node/demo.js drives this page in headless Chromium: it relies on the ids of
// the badges, the form (#message, #send) and the echo bubbles (.msg.echo, with data-rtt).
'use strict';

const $ = (id) => document.getElementById(id);
const chat = $('chat');
let pc = null;
let dc = null;
const pending = []; // send times of the messages not yet echoed (the channel is ordered)
const rtts = [];

function add(cls, build) {
  const div = document.createElement('div');
  div.className = cls;
  build(div);
  chat.appendChild(div);
  chat.scrollTop = chat.scrollHeight;
  return div;
}

function system(text) {
  add('sys', (d) => { d.textContent = text; });
}

function bubble(kind, who, text, rtt) {
  return add(`msg ${kind}`, (d) => {
    const label = document.createElement('span');
    label.className = 'who';
    label.textContent = who;
    d.appendChild(label);
    d.appendChild(document.createTextNode(text));
    if (rtt !== undefined) {
      const r = document.createElement('span');
      r.className = 'rtt';
      r.textContent = Number.isNaN(rtt) ? '? ms' : `${rtt.toFixed(1)} ms`;
      d.appendChild(r);
      d.dataset.rtt = Number.isNaN(rtt) ? '' : rtt.toFixed(3);
    }
  });
}

const GOOD = ['connected', 'completed', 'complete', 'stable', 'open'];
const BAD = ['failed', 'closed', 'disconnected'];
const BUSY = ['connecting', 'checking', 'gathering', 'have-local-offer', 'have-remote-offer', 'closing'];

function showState(id, value) {
  const el = $(id);
  el.textContent = value;
  const tone = GOOD.includes(value) ? 'good' : BAD.includes(value) ? 'bad' : BUSY.includes(value) ? 'busy' : '';
  el.className = `badge ${tone}`.trim();
}

function showStats() {
  if (rtts.length === 0) return;
  const sorted = [...rtts].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  $('stats').textContent = `${rtts.length} echo${rtts.length === 1 ? '' : 'es'}; round trip: ` +
    `last ${rtts[rtts.length - 1].toFixed(1)} ms, median ${median.toFixed(1)} ms, ` +
    `min ${sorted[0].toFixed(1)} ms`;
}

function waitGatheringComplete() {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
}

function setSending(enabled) {
  $('message').disabled = !enabled;
  $('sendButton').disabled = !enabled;
}

async function connect() {
  $('connect').disabled = true;
  if (pc) pc.close();
  pending.length = 0;
  setSending(false);
  pc = new RTCPeerConnection({ iceServers: [] });
  const mine = pc;
  for (const [ev, attr] of [
    ['connectionstatechange', 'connectionState'],
    ['iceconnectionstatechange', 'iceConnectionState'],
    ['icegatheringstatechange', 'iceGatheringState'],
    ['signalingstatechange', 'signalingState'],
  ]) {
    showState(attr, pc[attr]);
    pc.addEventListener(ev, () => {
      if (pc !== mine) return;
      showState(attr, pc[attr]);
      if (attr === 'connectionState') {
        system(`connectionState ${pc.connectionState}`);
        if (['failed', 'closed', 'disconnected'].includes(pc.connectionState)) {
          $('connect').disabled = false;
        }
      }
    });
  }
  dc = pc.createDataChannel('chat');
  showState('channelState', dc.readyState);
  dc.addEventListener('open', () => {
    showState('channelState', dc.readyState);
    system('channel "chat" open: type a message');
    setSending(true);
    $('connect').disabled = false;
    $('message').focus();
  });
  dc.addEventListener('close', () => {
    showState('channelState', dc.readyState);
    setSending(false);
    $('connect').disabled = false;
  });
  dc.addEventListener('message', (e) => {
    const sentAt = pending.shift();
    const rtt = sentAt === undefined ? NaN : performance.now() - sentAt;
    if (!Number.isNaN(rtt)) rtts.push(rtt);
    bubble('echo', 'echo', String(e.data), rtt);
    showStats();
  });
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await waitGatheringComplete();
    const res = await fetch('/offer', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'offer', sdp: pc.localDescription.sdp }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`${body.error}: ${body.message}`);
    await pc.setRemoteDescription(body);
    system('answer applied; connecting...');
  } catch (e) {
    system(`failed: ${e.message || e}`);
    $('connect').disabled = false;
  }
}

$('connect').addEventListener('click', connect);
$('send').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('message').value;
  if (!dc || dc.readyState !== 'open' || text === '') return;
  pending.push(performance.now());
  dc.send(text);
  bubble('me', 'you', text);
  $('message').value = '';
});
connect();
