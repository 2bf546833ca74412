// The panel's browser test (run by scripts/bridge-browser-test): starts
// `dgphone sim` and `dgphone bridge` on free ports, opens the panel in
// headless Chromium (Debian's, driven by playwright-core) and takes a call
// the way a person does: the simulator rings, the banner shows the
// caller's number, Answer, the line is connected, Hang up, it is idle.
// Then makes one: number, Call, connected, Hang up. A screenshot of the
// panel in the call goes to target/bridge-browser/ (or $SCREENSHOT).
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const http = require('http');

const root = path.resolve(__dirname, '../../..');
const { chromium } = require(path.join(process.env.PLAYWRIGHT_DIR, 'node_modules', 'playwright-core'));
const dgphone = process.env.DGPHONE_BIN || path.join(root, 'target/debug/dgphone');
// Into target/ unless asked (SCREENSHOT=docs/bridge-panel.png refreshes
// the README's): a test run leaves the working tree as it was.
const screenshot = process.env.SCREENSHOT || path.join(root, 'target/bridge-browser/bridge-panel.png');
const WAIT = 10000;

let passed = 0;
let failed = 0;
const children = [];

function start(args, banner) {
  const child = spawn(dgphone, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const log = [];
  child.stderr.on('data', (d) => log.push(String(d)));
  child.log = log;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not announce its address in time: ${log.join('')}`)), WAIT);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = line.match(banner);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    });
    child.on('exit', (code) => reject(new Error(`${args[0]} exited (${code}): ${log.join('')}`)));
  });
}

let page = null;

async function step(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e.message}`);
    if (page) {
      const lines = await page.$$eval('#lines tbody tr', (rows) => rows.map((r) => `${r.id}=${r.dataset.state}`)).catch(() => []);
      console.log(`     lines: ${lines.join(' ')}; message: ${await page.textContent('#message').catch(() => '?')}`);
    }
    throw e;
  }
}

// A page of some site (a CRM, or not), on a free port: another origin.
function site() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>site</title><p>a web page</p>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dgphone-bridge-browser-'));
  const crm = await site();
  const evil = await site();
  const crmOrigin = `http://127.0.0.1:${crm.address().port}`;
  const evilOrigin = `http://127.0.0.1:${evil.address().port}`;
  const sim = await start(['sim', '--port', '0', '--timestamp-secs', '0'], /listening on 127\.0\.0\.1:(\d+)$/);
  const tokenFile = path.join(work, 'token');
  const bridge = await start(
    ['bridge', '--dgphone', `127.0.0.1:${sim.match[1]}`, '--user', '201', '--listen', '127.0.0.1:0',
      '--token-file', tokenFile, '--allow-origin', crmOrigin],
    /listening on (http:\/\/127\.0\.0\.1:\d+\/)$/,
  );
  const base = bridge.match[1];
  const token = fs.readFileSync(tokenFile, 'utf8').trim();
  const mode = fs.statSync(tokenFile).mode & 0o777;

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
  const problems = [];
  try {
    page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    page.setDefaultTimeout(WAIT);
    // The refusal step provokes a 409 on purpose; anything else is a fault.
    page.on('console', (m) => { if (m.type() === 'error' && !/status of 409/.test(m.text())) problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    const ring = (line, number) => sim.child.stdin.write(`ring ${line} ${number}\n`);
    const lineState = (line, state) => page.waitForSelector(`#line-${line}[data-state="${state}"]`);

    await step('the token file is the owner\'s alone (0600)', async () => {
      if (mode !== 0o600) throw new Error(`mode ${mode.toString(8)}`);
    });
    await step('the panel loads, takes the token from the fragment and goes live', async () => {
      await page.goto(`${base}#token=${token}`);
      await page.waitForFunction(() => document.getElementById('connection').textContent.includes('online'));
      await page.waitForFunction(() => document.getElementById('socket').textContent.includes('live'));
      if (page.url().includes(token)) throw new Error('the token stayed in the address bar');
      await lineState(1, 'idle');
    });
    await step('a ringing call shows the banner with the caller\'s number', async () => {
      ring(2, '5511999990000');
      await page.waitForSelector('#banner', { state: 'visible' });
      const number = await page.textContent('#banner-number');
      if (number !== '5511999990000') throw new Error(`banner shows ${number}`);
      await lineState(2, 'offering');
    });
    await step('Answer connects the line and hides the banner', async () => {
      await page.click('#answer');
      await lineState(2, 'connected');
      await page.waitForSelector('#banner', { state: 'hidden' });
    });
    await step('a screenshot of the panel in the call', async () => {
      await page.fill('#number', '1002');
      await page.screenshot({ path: screenshot });
      await page.fill('#number', '');
    });
    await step('Hang up leaves the line idle', async () => {
      await page.click('#hangup');
      await lineState(2, 'idle');
    });
    await step('the dial pad and Call make a call, connected when the far end answers', async () => {
      for (const key of ['1', '0', '0', '2']) await page.click(`#keys button:text-is("${key}")`);
      await page.click('#dial');
      await page.waitForSelector('#line-1[data-state="dialing"], #line-1[data-state="connected"]');
      await lineState(1, 'connected');
      await page.click('#hangup');
      await lineState(1, 'idle');
    });
    await step('the README\'s click-to-dial snippet dials, as written', async () => {
      const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
      const at = readme.indexOf('Click-to-dial from the CRM');
      const block = readme.slice(at).match(/```js\n([\s\S]*?)```/);
      if (at < 0 || !block) throw new Error('no click-to-dial snippet in README.md');
      const code = block[1].replaceAll('http://127.0.0.1:8750/', base).replace("'5511999990000'", "'1003'");
      const status = await page.evaluate(`(async (token) => { ${code.replace('await fetch', 'const r = await fetch')} return r.status; })(${JSON.stringify(token)})`);
      if (status !== 200) throw new Error(`the snippet got ${status}`);
      await page.waitForSelector('#line-1[data-state="dialing"], #line-1[data-state="connected"]');
      await page.click('#hangup');
      await lineState(1, 'idle');
    });
    await step('an allowed CRM origin dials cross-origin (CORS preflight), and the panel sees it', async () => {
      const other = await browser.newPage();
      await other.goto(crmOrigin);
      const status = await other.evaluate(async ([base, token]) => {
        const r = await fetch(base + 'v1/dial', { method: 'POST',
          headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
          body: JSON.stringify({ number: '1004' }) });
        return r.status;
      }, [base, token]);
      await other.close();
      if (status !== 200) throw new Error(`the CRM's dial got ${status}`);
      await page.waitForSelector('#line-1[data-state="dialing"], #line-1[data-state="connected"]');
      await page.click('#hangup');
      await lineState(1, 'idle');
    });
    await step('another site, even holding the token, can neither call the API nor open the socket', async () => {
      const other = await browser.newPage();
      await other.goto(evilOrigin);
      const outcome = await other.evaluate(async ([base, token]) => {
        const result = {};
        try {
          const r = await fetch(base + 'v1/dial', { method: 'POST',
            headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
            body: JSON.stringify({ number: '1900' }) });
          result.fetch = r.status;
        } catch (e) {
          result.fetch = 'blocked';
        }
        try {
          // A "simple" request: no preflight, sent by the browser as is.
          await fetch(base + 'v1/dial', { method: 'POST', mode: 'no-cors', body: '{"number":"1900"}' });
          result.simple = 'sent';
        } catch (e) {
          result.simple = 'blocked';
        }
        result.socket = await new Promise((resolve) => {
          const ws = new WebSocket(base.replace('http', 'ws') + 'v1/events', ['dgphone.v1', 'dgphone-token.' + token]);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        });
        return result;
      }, [base, token]);
      await other.close();
      if (outcome.fetch !== 'blocked' || outcome.socket !== 'refused') throw new Error(JSON.stringify(outcome));
      const log = bridge.child.log.join('');
      const refusals = (log.match(new RegExp(`origin "${evilOrigin}" not allowed`, 'g')) || []).length;
      if (refusals < 3) throw new Error(`the bridge refused ${refusals} of its requests: ${log}`);
      const lines = await page.$$eval('#lines tbody tr', (rows) => rows.map((r) => r.dataset.state));
      if (lines.some((state) => state !== 'idle')) throw new Error(`a line moved: ${lines}`);
    });
    await step('DGPhone refusing shows its message', async () => {
      await page.click('#hangup');
      await page.waitForFunction(() => document.getElementById('message').textContent.includes('idle'));
    });
    await step('no script error and no blocked resource in the page', async () => {
      if (problems.length) throw new Error(problems.join('; '));
    });
  } finally {
    await browser.close();
    for (const child of children) child.kill();
    crm.close();
    evil.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main()
  .catch((e) => {
    if (!failed) failed += 1;
    console.error(`bridge-browser-test: ${e.stack || e}`);
    for (const child of children) console.error(child.log.join(''));
  })
  .finally(() => {
    console.log(`bridge-browser-test: ${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
    for (const child of children) child.kill();
  });
