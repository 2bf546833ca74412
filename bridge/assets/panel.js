// The softphone panel: plain JS, no build step. It calls the bridge's API
// with the token in the Authorization header and listens to the event
// socket with the token as a WebSocket subprotocol (never in a URL: the
// address bar's #token=... fragment is read once, kept in this origin's
// storage, and removed).
'use strict';

const $ = (id) => document.getElementById(id);
let token = null;
let state = null;
let socket = null;
let retry = 500;

function takeToken() {
  const match = location.hash.match(/token=([A-Za-z0-9]+)/);
  if (match) {
    localStorage.setItem('dgphone-token', match[1]);
    history.replaceState(null, '', location.pathname);
  }
  token = localStorage.getItem('dgphone-token');
}

function say(text, error) {
  const el = $('message');
  el.textContent = text || '';
  el.className = error ? 'message error' : 'message';
}

async function api(path, body) {
  const response = await fetch('/v1/' + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (response.status === 401) {
    localStorage.removeItem('dgphone-token');
    showLogin();
  }
  if (!response.ok) {
    const e = json.error || {};
    throw new Error((e.doing ? e.doing + ': ' : '') + (e.message || response.statusText) + ' (' + response.status + ')');
  }
  // While the socket is live it alone renders: an answer's state may be
  // older than an event the socket already brought.
  if (json.state && !(socket && socket.readyState === WebSocket.OPEN)) render(json.state);
  return json;
}

async function act(label, path, body) {
  say(label + '…');
  try {
    await api(path, body);
    say(label + ': done');
  } catch (e) {
    say(e.message, true);
  }
}

function lineInCall() {
  if (!state) return null;
  const busy = state.lines.filter((l) => l.state === 'connected' || l.state === 'on_hold' || l.state === 'dialing');
  return busy.length ? busy[0].line : null;
}

function render(s) {
  state = s;
  const conn = s.connection || {};
  $('connection').textContent = 'DGPhone: ' + (conn.state || 'offline') + (conn.user ? ' (' + conn.user + ')' : '');
  $('connection').className = 'pill ' + (conn.state || 'offline');
  const agent = s.agent || {};
  $('agent').textContent = 'agent: ' + (agent.agent ? agent.agent + ' ' : '') + (agent.state || '-');
  const body = $('lines').tBodies[0];
  body.textContent = '';
  for (const line of s.lines) {
    const row = body.insertRow();
    row.id = 'line-' + line.line;
    row.dataset.state = line.state;
    if (s.selected === line.line) row.className = 'selected';
    row.insertCell().textContent = line.line + (s.selected === line.line ? ' ●' : '');
    const cell = row.insertCell();
    cell.className = 'state ' + line.state;
    cell.textContent = line.state.replace('_', ' ');
    row.insertCell().textContent = line.number || '';
    row.title = 'Select line ' + line.line;
    row.addEventListener('click', () => act('Select line ' + line.line, 'select', { line: line.line }));
  }
  const ringing = s.lines.find((l) => l.state === 'offering');
  $('banner').hidden = !ringing;
  if (ringing) {
    $('banner-number').textContent = ringing.number || 'unknown';
    $('banner-line').textContent = ringing.line;
  }
}

function log(item) {
  const li = document.createElement('li');
  const what = item.type === 'event' ? item.kind + (item.line ? ' line ' + item.line : '') + (item.number ? ' ' + item.number : '') : item.type;
  li.textContent = new Date(item.time_ms || Date.now()).toLocaleTimeString() + '  ' + what;
  const list = $('log');
  list.prepend(li);
  while (list.children.length > 30) list.lastChild.remove();
}

function connect() {
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/events';
  socket = new WebSocket(url, ['dgphone.v1', 'dgphone-token.' + token]);
  socket.onopen = () => {
    retry = 500;
    $('socket').textContent = 'events: live';
    $('socket').className = 'pill online';
  };
  socket.onmessage = (message) => {
    const item = JSON.parse(message.data);
    if (item.lines) render(item);
    if (item.type !== 'snapshot' && !(item.type === 'event' && item.kind === 'TimeStamp')) log(item);
    if (item.type === 'overflow') say('this page fell behind and missed ' + item.dropped + ' events; the state is fresh again', true);
  };
  socket.onclose = () => {
    $('socket').textContent = 'events: closed';
    $('socket').className = 'pill offline';
    if (!token) return;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  };
}

function showLogin() {
  $('login').hidden = false;
}

function keys() {
  for (const key of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']) {
    const button = document.createElement('button');
    button.textContent = key;
    button.addEventListener('click', () => { $('number').value += key; });
    $('keys').appendChild(button);
  }
}

function wire() {
  $('answer').addEventListener('click', () => act('Answer', 'answer', {}));
  $('banner-answer').addEventListener('click', () => act('Answer', 'answer', { line: Number($('banner-line').textContent) }));
  $('hold').addEventListener('click', () => act('Hold', 'hold', { mode: 'on' }));
  $('resume').addEventListener('click', () => {
    const held = state && state.lines.find((l) => l.state === 'on_hold');
    act('Resume', 'hold', held ? { mode: 'off', line: held.line } : { mode: 'off' });
  });
  $('hangup').addEventListener('click', () => {
    const line = lineInCall();
    act('Hang up', 'hangup', line ? { line } : {});
  });
  $('dial').addEventListener('click', () => {
    const number = $('number').value.trim();
    if (number) act('Call ' + number, 'dial', { number });
  });
  $('dtmf').addEventListener('click', () => {
    const digits = $('number').value.trim();
    if (digits) act('DTMF', 'dtmf', { digits }).then(() => { $('number').value = ''; });
  });
  $('clear').addEventListener('click', () => { $('number').value = ''; });
  $('number').addEventListener('keydown', (e) => { if (e.key === 'Enter') $('dial').click(); });
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    token = $('token-input').value.trim();
    localStorage.setItem('dgphone-token', token);
    $('login').hidden = true;
    start();
  });
}

function start() {
  api('state').then((s) => { render(s); connect(); }).catch((e) => say(e.message, true));
}

keys();
wire();
takeToken();
if (token) start(); else showLogin();
