// The demo page of `rtcpeer serve` (served at /demo.js): connects to the server over WebRTC,
// shows the connection, ICE and signaling states live, and runs a chat on a data channel that
// the server echoes, with each message's round-trip time.
'use strict';

const $ = (id) => document.getElementById(id);
const chat = $('chat');
let pc = null;
let dc = null;
const pending = []; // send times of the messages not yet echoed (the channel is ordered)
const rtts = [];

function line(cls, text) {
  const div = document.createElement('div');
  div.className = cls;
  div.textContent = text;
  chat.appendChild(div);
  chat.scrollTop = chat.scrollHeight;
}

function showState(id, value) {
  const el = $(id);
  el.textContent = value;
  el.className = 'state ' + ({
    connected: 'good', completed: 'good', complete: 'good', stable: 'good', open: 'good',
    failed: 'bad', closed: 'bad', disconnected: 'bad',
  }[value] || 'busy');
}

function showStats() {
  if (rtts.length === 0) return;
  const sorted = [...rtts].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  $('stats').textContent = `${rtts.length} echoes; round trip last ${rtts[rtts.length - 1].toFixed(1)} ms, ` +
    `median ${median.toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms`;
}

function waitGatheringComplete() {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
}

async function connect() {
  $('connect').disabled = true;
  if (pc) pc.close();
  pending.length = 0;
  pc = new RTCPeerConnection({ iceServers: [] });
  for (const [ev, attr] of [
    ['connectionstatechange', 'connectionState'],
    ['iceconnectionstatechange', 'iceConnectionState'],
    ['icegatheringstatechange', 'iceGatheringState'],
    ['signalingstatechange', 'signalingState'],
  ]) {
    showState(attr, pc[attr]);
    pc.addEventListener(ev, () => {
      showState(attr, pc[attr]);
      line('sys', `${attr} = ${pc[attr]}`);
      if (attr === 'connectionState' && ['failed', 'closed'].includes(pc.connectionState)) {
        $('connect').disabled = false;
      }
    });
  }
  dc = pc.createDataChannel('chat');
  showState('channelState', dc.readyState);
  dc.addEventListener('open', () => {
    showState('channelState', dc.readyState);
    line('sys', 'data channel open: type a message');
    $('message').disabled = false;
    $('sendButton').disabled = false;
    $('message').focus();
  });
  dc.addEventListener('close', () => {
    showState('channelState', dc.readyState);
    $('message').disabled = true;
    $('sendButton').disabled = true;
    $('connect').disabled = false;
  });
  dc.addEventListener('message', (e) => {
    const sentAt = pending.shift();
    const rtt = sentAt === undefined ? NaN : performance.now() - sentAt;
    if (!Number.isNaN(rtt)) rtts.push(rtt);
    line('echo', `echo: ${e.data}  (${rtt.toFixed(1)} ms)`);
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
    line('sys', 'answer applied; connecting...');
  } catch (e) {
    line('sys', `failed: ${e.message || e}`);
    $('connect').disabled = false;
  }
}

$('connect').addEventListener('click', connect);
$('send').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('message').value;
  if (!dc || dc.readyState !== 'open') return;
  pending.push(performance.now());
  dc.send(text);
  line('me', `sent: ${text}`);
  $('message').value = '';
});
connect();
