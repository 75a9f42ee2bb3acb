// The hub's minimal live page, served at `/` when no built dashboard is there: plain HTML and
// inline JavaScript, no build step. It speaks protocol v3 (`PROTOCOL_VERSION`): opens /ws (with
// the `?token=` of its own URL, when there is one), builds its panels from the `hello` manifest,
// subscribes to every stream ('*'), and shows per metric the latest row of each group key (from the
// snapshot, then the updates: a `+U` replaces the row of its row key, a `-D` of the row shown
// removes it), the recent alerts and the pipeline's health figures. It reconnects when the socket
// closes or stays silent for three health intervals. The Svelte dashboard (dashboard/, built with
// `npm run build:dashboard` into dashboard/dist) replaces it.

import { PROTOCOL_VERSION } from './protocol.ts';

/** The page for `pipeline`. */
export function dashboardPage(pipeline: string): string {
  const title = escapeHtml(pipeline);
  return PAGE.replaceAll('__TITLE__', () => title).replaceAll('__VERSION__', String(PROTOCOL_VERSION));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__ · flowc</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { padding: 12px 20px; background: #1d2330; color: #fff; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  #health { font-variant-numeric: tabular-nums; opacity: .9; }
  #conn { margin-left: auto; font-size: 12px; }
  main { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; padding: 16px 20px; }
  section { background: #fff; border-radius: 6px; padding: 10px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); overflow: auto; }
  section h2 { font-size: 15px; margin: 0 0 2px; }
  .sub { color: #667; font-size: 12px; margin-bottom: 6px; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 2px 8px 2px 0; border-bottom: 1px solid #eef; vertical-align: top; }
  th { font-weight: 600; color: #445; font-size: 12px; }
  #alerts li { margin: 4px 0; }
  .sev { display: inline-block; min-width: 64px; font-size: 11px; font-weight: 700; text-transform: uppercase; }
  .sev-critical, .sev-high { color: #b00020; } .sev-medium { color: #b36b00; } .sev-low { color: #3a6; }
  .empty { color: #99a; }
  .note { margin: 10px 20px 0; color: #556; font-size: 12px; }
  code { font: 12px ui-monospace, monospace; background: #e8eaf0; padding: 0 3px; border-radius: 3px; }
</style>
</head>
<body>
<header><h1>__TITLE__</h1><span id="health">connecting…</span><span id="conn"></span></header>
<p class="note">The minimal page. For the full dashboard, run <code>npm run build:dashboard</code> (it builds <code>dashboard/</code> into <code>dashboard/dist</code>, which this hub then serves here).</p>
<main id="panels">
  <section id="alerts-panel"><h2>Alerts</h2><div class="sub">newest first</div><ul id="alerts"><li class="empty">none yet</li></ul></section>
</main>
<script>
(function () {
  'use strict';
  var metrics = {};
  var alerts = [];
  var token = new URLSearchParams(location.search).get('token');
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fmt(v) {
    if (v === null || v === undefined) return '–';
    if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString() : v.toLocaleString(undefined, { maximumFractionDigits: 2 });
    if (Array.isArray(v)) return v.slice(0, 5).map(function (x) { return typeof x === 'object' && x !== null ? Object.values(x).map(fmt).join(' ') : fmt(x); }).join(', ');
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  function time(t) { return typeof t === 'number' ? new Date(t).toLocaleTimeString() : String(t); }
  function windowText(w) {
    if (w.kind === 'tumbling') return 'tumbling ' + w.sizeMs / 1000 + 's';
    if (w.kind === 'sliding') return 'sliding ' + w.sizeMs / 1000 + 's every ' + w.slideMs / 1000 + 's';
    return 'session gap ' + w.gapMs / 1000 + 's';
  }
  function render(name) {
    var m = metrics[name];
    var body = m.body;
    body.textContent = '';
    var keys = Object.keys(m.rows).sort(function (a, b) { return m.rows[b].time - m.rows[a].time; }).slice(0, 15);
    if (keys.length === 0) { var tr0 = el('tr'); tr0.appendChild(el('td', { colspan: String(m.columns.length + 1), class: 'empty' }, 'waiting for the first window…')); body.appendChild(tr0); return; }
    keys.forEach(function (key) {
      var row = m.rows[key];
      var tr = el('tr');
      tr.appendChild(el('td', null, time(row.time)));
      m.columns.forEach(function (c) { tr.appendChild(el('td', null, fmt(row.row[c]))); });
      body.appendChild(tr);
    });
  }
  function renderAlerts() {
    var list = document.getElementById('alerts');
    list.textContent = '';
    if (alerts.length === 0) { list.appendChild(el('li', { class: 'empty' }, 'none yet')); return; }
    alerts.slice(0, 50).forEach(function (a) {
      var li = el('li');
      var sev = String(a.alert.severity || '');
      li.appendChild(el('span', { class: 'sev sev-' + sev }, sev));
      li.appendChild(el('b', null, String(a.alert.alert_type || a.stream) + ' '));
      li.appendChild(document.createTextNode(String(a.alert.message || a.alert.title || '') + ' · ' + time(a.time)));
      list.appendChild(li);
    });
  }
  function setup(manifest) {
    var panels = document.getElementById('panels');
    Array.prototype.slice.call(panels.querySelectorAll('section.metric')).forEach(function (s) { panels.removeChild(s); });
    metrics = {};
    alerts = [];
    renderAlerts();
    manifest.metrics.forEach(function (m) {
      var section = el('section', { id: 'metric-' + m.name, class: 'metric' });
      section.appendChild(el('h2', null, m.name));
      section.appendChild(el('div', { class: 'sub' }, windowText(m.window) + ' · ' + m.time + ' time' + (m.groupBy.length ? ' · by ' + m.groupBy.join(', ') : '')));
      var table = el('table');
      var head = el('tr');
      head.appendChild(el('th', null, 'window end'));
      var columns = m.groupBy.concat(m.measures.map(function (x) { return x.name; }));
      columns.forEach(function (c) {
        var measure = m.measures.filter(function (x) { return x.name === c; })[0];
        head.appendChild(el('th', null, measure && measure.unit ? c + ' (' + measure.unit + ')' : c));
      });
      table.appendChild(head);
      var body = el('tbody');
      table.appendChild(body);
      section.appendChild(table);
      panels.appendChild(section);
      metrics[m.name] = { columns: columns, rows: {}, body: body };
      render(m.name);
    });
  }
  // One row per group key, the newest; the same row (same row key, or same time without one) is replaced or deleted.
  function keep(stream, r) {
    var m = metrics[stream];
    if (!m) return;
    var key = r.key === null ? '' : r.key;
    var current = m.rows[key];
    var same = !!current && (current.rowKey !== undefined && r.rowKey !== undefined ? current.rowKey === r.rowKey : current.time === r.time);
    if (r.change === '-D') { if (same) delete m.rows[key]; return; }
    if (!current || same || current.time <= r.time) m.rows[key] = { time: r.time, row: r.row, rowKey: r.rowKey };
  }
  function onMessage(ws, msg) {
    if (msg.v !== __VERSION__) return;
    if (msg.type === 'hello') {
      setup(msg.manifest);
      ws.send(JSON.stringify({ v: __VERSION__, type: 'subscribe', streams: '*' }));
    } else if (msg.type === 'snapshot' && msg.kind === 'metric' && metrics[msg.stream]) {
      msg.rows.forEach(function (r) { keep(msg.stream, r); });
      render(msg.stream);
    } else if (msg.type === 'snapshot' && msg.kind === 'alert') {
      msg.alerts.forEach(function (a) { alerts.push({ stream: msg.stream, time: a.time, alert: a.alert }); });
      alerts.sort(function (a, b) { return b.time - a.time; });
      if (alerts.length > 200) alerts.length = 200;
      renderAlerts();
    } else if (msg.type === 'update' && metrics[msg.stream]) {
      keep(msg.stream, msg);
      render(msg.stream);
    } else if (msg.type === 'alert') {
      alerts.unshift(msg);
      if (alerts.length > 200) alerts.length = 200;
      renderAlerts();
    } else if (msg.type === 'health') {
      var s = msg.status;
      var lag = s.watermarkLagMs === null ? '–' : (s.watermarkLagMs / 1000).toFixed(1) + ' s';
      document.getElementById('health').textContent = s.state + ' · ' + s.eventsIn.toLocaleString() + ' events · ' + Math.round(s.eventsPerSecond).toLocaleString() + '/s · ' +
        s.windowsEmitted.toLocaleString() + ' windows · ' + s.alerts.toLocaleString() + ' alerts · ' + s.deadLetters.toLocaleString() + ' dead letters · ' +
        s.lateEvents.toLocaleString() + ' late · watermark lag ' + lag + ' · ' + s.clients + ' client(s), ' + s.clientsDropped + ' dropped';
    } else if (msg.type === 'error') {
      console.warn('hub: ' + msg.code + ': ' + msg.message);
    }
  }
  function connect() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' + (token ? '?token=' + encodeURIComponent(token) : '');
    var ws = new WebSocket(url);
    var conn = document.getElementById('conn');
    var healthEvery = 1000;
    var lastMessage = Date.now();
    // Three health intervals without a message: the connection is dead (a browser sees no pings).
    var watchdog = setInterval(function () { if (Date.now() - lastMessage > 3 * healthEvery + 1000) ws.close(); }, 1000);
    ws.onopen = function () { conn.textContent = 'live'; };
    ws.onmessage = function (event) {
      lastMessage = Date.now();
      try {
        var frame = JSON.parse(event.data);
        // A frame holds one message, or an array of one stream's messages.
        var messages = Array.isArray(frame) ? frame : [frame];
        for (var i = 0; i < messages.length; i++) {
          var msg = messages[i];
          if (msg.type === 'hello') healthEvery = msg.healthIntervalMs || 3600000;
          onMessage(ws, msg);
        }
      } catch (e) { console.error(e); }
    };
    ws.onclose = function () {
      clearInterval(watchdog);
      conn.textContent = token === null ? 'disconnected, retrying… (a token-protected hub needs the ?token= URL flowc run printed)' : 'disconnected, retrying…';
      setTimeout(connect, 2000);
    };
  }
  connect();
})();
</script>
</body>
</html>
`;
