#!/usr/bin/env node
// Drives the demo page of `rtcpeer serve` in headless Chromium (Debian's /usr/bin/chromium,
// through playwright-core), as a person would: opens the page, waits until it shows
// connectionState "connected" and the channel open, types a chat message and presses Enter,
// waits for the echo bubble with its round-trip time, and saves a screenshot.
//
//   node demo.js --url http://127.0.0.1:PORT/ --screenshot PATH [--message TEXT] [--timeout SECS]
//
// Prints one JSON line ({"ok":BOOL,"rtt_ms":NUMBER|null,"detail":STRING,"screenshot":PATH})
// and exits 0 only when the echo came back. A screenshot is saved on failure too, when the
// page got that far.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// The same flags as chromium.js: loopback candidates allowed, no mDNS host names.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

function usage(msg) {
  if (msg) process.stderr.write(`demo.js: ${msg}\n`);
  process.stderr.write('usage: demo.js --url URL --screenshot PATH [--message TEXT] [--timeout SECS]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') usage('');
    if (!a.startsWith('--') || i + 1 >= argv.length) usage(`bad argument ${a}`);
    opts[a.slice(2)] = argv[++i];
  }
  if (!opts.url || !opts.screenshot) usage('--url and --screenshot are required');
  return opts;
}

function log(line) {
  process.stderr.write(`[demo ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const message = opts.message || 'hello from headless Chromium';
  const timeoutMs = Math.round(parseFloat(opts.timeout || '30') * 1000);
  const shot = path.resolve(opts.screenshot);
  fs.mkdirSync(path.dirname(shot), { recursive: true });
  const result = { ok: false, rtt_ms: null, detail: '', screenshot: null };

  // Hard limit for the whole process, browser launch included.
  const hard = setTimeout(() => {
    result.detail = 'hard timeout (process)';
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(1);
  }, timeoutMs + 20000);
  hard.unref();

  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 900, height: 780 },
  });
  let page = null;
  let step = 'opening the page';
  try {
    page = context.pages()[0] || (await context.newPage());
    page.on('console', (m) => log(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log(`pageerror: ${e.message}`));
    page.setDefaultTimeout(timeoutMs);
    await page.goto(opts.url);

    step = 'waiting for connectionState "connected" and the channel open';
    await page.waitForFunction(() => {
      const text = (id) => document.getElementById(id).textContent;
      return text('connectionState') === 'connected' && text('channelState') === 'open';
    });
    const states = await page.evaluate(() =>
      ['connectionState', 'iceConnectionState', 'iceGatheringState', 'signalingState', 'channelState']
        .map((id) => `${id}=${document.getElementById(id).textContent}`).join(' '));
    log(`page shows ${states}`);

    step = 'typing the message';
    await page.fill('#message', message);
    await page.press('#message', 'Enter');

    step = `waiting for the echo of "${message}"`;
    const echo = await page.waitForFunction((text) => {
      for (const el of document.querySelectorAll('#chat .msg.echo')) {
        if (el.childNodes[1] && el.childNodes[1].textContent === text && el.dataset.rtt) return el.dataset.rtt;
      }
      return null;
    }, message);
    result.rtt_ms = parseFloat(await echo.jsonValue());
    if (!(result.rtt_ms >= 0)) throw new Error(`the echo shows no round-trip time (${result.rtt_ms})`);
    log(`echo seen, round trip ${result.rtt_ms} ms`);

    // A second message, so the screenshot shows the chat and its statistics.
    step = 'sending a second message';
    await page.fill('#message', 'and a second one');
    await page.press('#message', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#chat .msg.echo').length >= 2);
    result.ok = true;
    result.detail = `echo of "${message}" in ${result.rtt_ms.toFixed(1)} ms`;
  } catch (e) {
    result.detail = `${step}: ${e.message.split('\n')[0]}`;
  }
  if (page) {
    try {
      await page.screenshot({ path: shot, fullPage: true });
      result.screenshot = shot;
    } catch (e) {
      log(`screenshot failed: ${e.message}`);
    }
  }
  try {
    await context.close();
  } catch (_) {}
  fs.rmSync(userDataDir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.ok ? 0 : 1);
}

main().catch((e) => {
  log(e.stack || String(e));
  process.stdout.write(JSON.stringify({ ok: false, rtt_ms: null, detail: `harness error: ${e.message}`, screenshot: null }) + '\n');
  process.exit(1);
});
