#!/usr/bin/env node
// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) as a
// WebRTC interop peer. See tests/interop/README.md for the contract.
//
//   node chromium.js client --url http://127.0.0.1:PORT/offer --test NAME [--timeout SECS]
//   node chromium.js serve --listen 127.0.0.1:PORT
//
// The test page is served by this script from http://127.0.0.1:<port>/ (a
// secure origin, so getUserMedia works). In client mode the page's POST /offer
// is made by Node (no CORS needed from the server under test). In serve mode
// Node answers POST /offer by handing the offer to the page and returning the
// page's answer once its ICE gathering is complete.
'use strict';

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
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
  '--use-fake-device-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>rtcpeer interop peer</title></head>
<body><p>rtcpeer interop peer (Chromium)</p><script src="/peer.js"></script></body></html>`;
const PEER_JS = fs.readFileSync(path.join(__dirname, 'peer.js'));

function usage(msg) {
  if (msg) process.stderr.write(`chromium.js: ${msg}\n`);
  process.stderr.write(
    'usage: chromium.js client --url URL --test NAME [--timeout SECS]\n' +
      '       chromium.js serve --listen HOST:PORT\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const mode = argv[0];
  const opts = {};
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || i + 1 >= argv.length) usage(`bad argument ${a}`);
    opts[a.slice(2)] = argv[++i];
  }
  return { mode, opts };
}

function log(line) {
  process.stderr.write(`[chromium ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
}

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on('data', (c) => {
      n += c.length;
      if (n > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// Serves the page and peer.js; `onOffer` (server role) handles POST /offer.
function startHttp(host, port, onOffer) {
  const server = http.createServer(async (req, res) => {
    try {
      if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(PAGE);
      } else if (req.method === 'GET' && req.url === '/peer.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(PEER_JS);
      } else if (req.method === 'GET' && req.url === '/favicon.ico') {
        res.writeHead(204);
        res.end();
      } else if (req.method === 'POST' && req.url === '/offer' && onOffer) {
        await onOffer(req, res);
      } else {
        sendJson(res, 404, { error: 'NotFound', message: `${req.method} ${req.url}` });
      }
    } catch (e) {
      sendJson(res, 500, { error: e.name || 'Error', message: String(e.message || e) });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function launch() {
  // Resolved lazily so `--help` works without node_modules.
  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'interop-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    // Our own SIGTERM/SIGINT handlers close the browser and remove the profile.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const cleanup = async () => {
    try {
      await context.close();
    } catch (_) {}
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, cleanup };
}

async function openPage(context, origin, onConsole) {
  const page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => onConsole(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => onConsole(`pageerror: ${e.message}`));
  await page.exposeFunction('interopLog', (line) => onConsole(line));
  await page.exposeFunction('interopSignal', async (url, body) => {
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(20000),
      });
      return { status: r.status, body: await r.text() };
    } catch (e) {
      return { status: 0, body: `fetch failed: ${e.cause ? e.cause.message || e.cause : e.message}` };
    }
  });
  await page.goto(`${origin}/`);
  const ready = await page.evaluate(() => window.interopReady);
  onConsole(`page ready: ${ready}`);
  return page;
}

async function runClient(opts) {
  if (!opts.url || !opts.test) usage('client needs --url and --test');
  const timeoutMs = Math.round(parseFloat(opts.timeout || '30') * 1000);
  // Hard limit for the whole process, launch included.
  const hard = setTimeout(() => {
    process.stdout.write(
      JSON.stringify({ test: opts.test, ok: false, ms_to_open: null, detail: 'hard timeout (process)' }) + '\n',
    );
    process.exit(1);
  }, timeoutMs + 20000);
  hard.unref();

  const server = await startHttp('127.0.0.1', 0, null);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const { context, cleanup } = await launch();
  let result;
  let diag = {};
  try {
    const page = await openPage(context, origin, (l) => log(l));
    ({ result, diag } = await page.evaluate(
      ([t, u, ms]) => window.interopRunClient(t, u, ms),
      [opts.test, opts.url, timeoutMs],
    ));
  } catch (e) {
    result = { test: opts.test, ok: false, ms_to_open: null, detail: `harness error: ${e.message}` };
  }
  await cleanup();
  server.close();
  captureSdp(diag);
  if (!result.ok) dumpDiag(diag);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.ok ? 0 : 1);
}

// INTEROP_CAPTURE=prefix: write the offer and answer this peer saw to
// prefix.offer.sdp and prefix.answer.sdp (run.sh uses it for fixtures).
function captureSdp(diag) {
  const prefix = process.env.INTEROP_CAPTURE;
  if (!prefix) return;
  if (diag.offer) fs.writeFileSync(`${prefix}.offer.sdp`, diag.offer);
  if (diag.answer) fs.writeFileSync(`${prefix}.answer.sdp`, diag.answer);
}

function dumpDiag(diag) {
  const w = (s) => process.stderr.write(s + '\n');
  w('---- chromium client saw ----');
  if (diag.states) w(`final states: ${JSON.stringify(diag.states)}`);
  for (const l of diag.stats || []) w(l);
  w('events:');
  for (const l of diag.log || []) w(`  ${l}`);
  w(`offer (sent):\n${diag.offer || '(none)'}`);
  w(`answer (received):\n${diag.answer || '(none)'}`);
  w('---- end ----');
}

async function runServe(opts) {
  const listen = opts.listen || '127.0.0.1:8080';
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i);
  const port = parseInt(listen.slice(i + 1), 10);
  if (!host || !(port > 0)) usage(`bad --listen ${listen}`);
  // The page comes from its own ephemeral port; --listen opens only once the
  // page is ready, so "port accepts connections" means "ready for offers".
  const pageServer = await startHttp('127.0.0.1', 0, null);
  const { context, cleanup } = await launch();
  let stopping = false;
  context.on('close', () => {
    if (stopping) return;
    log('browser closed unexpectedly');
    process.exit(1);
  });
  const page = await openPage(context, `http://127.0.0.1:${pageServer.address().port}`, (l) => log(l));
  const onOffer = async (req, res) => {
    let offer;
    try {
      offer = JSON.parse(await readBody(req));
    } catch (e) {
      return sendJson(res, 400, { error: 'SyntaxError', message: `body is not JSON: ${e.message}` });
    }
    if (!offer || offer.type !== 'offer' || typeof offer.sdp !== 'string') {
      return sendJson(res, 400, { error: 'TypeError', message: 'expected {"type":"offer","sdp":"..."}' });
    }
    try {
      const answer = await page.evaluate((o) => window.interopAnswer(o), { type: 'offer', sdp: offer.sdp });
      const prefix = process.env.INTEROP_CAPTURE;
      if (prefix) {
        fs.writeFileSync(`${prefix}.offer.sdp`, offer.sdp);
        fs.writeFileSync(`${prefix}.answer.sdp`, answer.sdp);
      }
      sendJson(res, 200, answer);
    } catch (e) {
      // The page's error is the peer connection's (e.g. an SDP it cannot parse).
      const m = /(\w+Error): (.*)/s.exec(e.message);
      sendJson(res, 400, { error: m ? m[1] : 'Error', message: (m ? m[2] : e.message).split('\n')[0] });
    }
  };
  const server = await startHttp(host, port, onOffer);
  const shutdown = async () => {
    stopping = true;
    server.close();
    pageServer.close();
    await cleanup();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  log(`serving http://${listen}/offer`);
}

const { mode, opts } = parseArgs(process.argv.slice(2));
if (mode === 'client') runClient(opts).catch((e) => { log(e.stack); process.exit(1); });
else if (mode === 'serve') runServe(opts).catch((e) => { log(e.stack); process.exit(1); });
else usage(mode ? `unknown mode ${mode}` : '');
