// The console's front end: a hash router, one render function per page, JSON from /api, refreshed every 2 s.
'use strict';
(function () {
  const { sparkline, lineChart } = window.BrookCharts;
  const page = document.getElementById('page');
  const statusEl = document.getElementById('status');
  const REFRESH_MS = 2000;
  let timer = null;
  let generation = 0;

  const esc = (s) => String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  function bytes(n) {
    if (n === null || n === undefined || n < 0) return '–';
    let v = Number(n);
    let u = 0;
    while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
    return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
  }
  const ms = (v) => (v === null || v === undefined ? '–' : Number.isInteger(v) ? `${v} ms` : v < 10 ? `${v.toFixed(2)} ms` : v < 100 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`);
  const dash = (v) => (v === null || v === undefined ? '–' : esc(v));
  const time = (t) => new Date(Number(t)).toISOString().replace('T', ' ').replace('Z', '');

  async function api(path, init) {
    const r = await fetch('/api/' + path, init);
    const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
    if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
    return body;
  }
  const post = (path, body, method = 'POST') => api(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  function route() {
    const h = location.hash.replace(/^#/, '') || '/';
    const [p, qs] = h.split('?');
    const parts = p.split('/').filter(Boolean).map(decodeURIComponent);
    return { name: parts[0] || 'overview', arg: parts[1], query: new URLSearchParams(qs || '') };
  }

  /**
   * Marks (performance.mark 'brook:rendered:<page>') the first frame painted with a page's data; the render bench
   * reads it as time since navigation.
   */
  const marked = new Set();
  function markRendered(name) {
    if (marked.has(name)) return;
    marked.add(name);
    requestAnimationFrame(() => requestAnimationFrame(() => performance.mark(`brook:rendered:${name}`)));
  }

  /** Runs `load` now and every REFRESH_MS while the route stays the same; `load` renders into its own element. */
  function every(load) {
    const gen = generation;
    const tick = async () => {
      if (gen !== generation) return;
      const started = Date.now();
      try {
        await load();
        statusEl.textContent = `updated ${new Date().toLocaleTimeString()}`;
      } catch (e) {
        statusEl.textContent = `error: ${e.message}`;
      }
      // Every REFRESH_MS from the start of the previous load, so a slow answer does not stretch the period.
      if (gen === generation) timer = setTimeout(tick, Math.max(200, REFRESH_MS - (Date.now() - started)));
    };
    tick();
  }

  // ---- brokers and topics ------------------------------------------------------------------------

  function overviewPage() {
    page.innerHTML = `<h1>Brokers &amp; topics</h1>
      <section><h2>Brokers</h2><div id="brokers" class="muted">loading…</div></section>
      <section><h2>Topics</h2>
        <form id="create-topic" class="inline">
          <label>name <input name="name" required pattern="[a-zA-Z0-9._-]+" placeholder="orders"></label>
          <label>partitions <input name="partitions" type="number" min="1" value="3" style="width:90px"></label>
          <label>replication factor <input name="replicationFactor" type="number" min="1" value="1" style="width:90px"></label>
          <label>configs (k=v, comma-separated) <input name="configs" placeholder="retention.ms=86400000"></label>
          <button type="submit">Create topic</button><span id="create-result"></span>
        </form>
        <div id="topics" class="muted" style="margin-top:12px">loading…</div></section>`;
    document.getElementById('create-topic').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const configs = {};
      for (const kv of String(f.get('configs') || '').split(',').map((s) => s.trim()).filter(Boolean)) {
        const i = kv.indexOf('=');
        if (i > 0) configs[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
      }
      const out = document.getElementById('create-result');
      out.className = 'muted';
      out.textContent = 'creating…';
      try {
        await post('topics', { name: f.get('name'), partitions: Number(f.get('partitions')), replicationFactor: Number(f.get('replicationFactor')), configs });
        out.textContent = `created ${f.get('name')}`;
      } catch (e) {
        out.className = 'error';
        out.textContent = e.message;
      }
    });
    every(async () => {
      const o = await api('overview');
      document.getElementById('brokers').outerHTML = `<div id="brokers"><table><thead><tr><th>ID</th><th>Host</th><th>Rack</th><th>Role</th><th class="num">Leaders</th><th class="num">Replicas</th><th>Status</th></tr></thead><tbody>${
        o.brokers.map((b) => `<tr data-broker="${b.id}" class="${b.live ? '' : 'dead'}"><td>${b.id}</td><td>${b.host === null ? '–' : esc(`${b.host}:${b.port}`)}</td><td>${dash(b.rack)}</td><td>${b.controller ? '<span class="badge controller">controller</span>' : ''}</td><td class="num">${b.leaders}</td><td class="num">${b.replicas}</td><td>${b.live ? '<span class="badge live">live</span>' : '<span class="badge dead">dead</span>'}</td></tr>`).join('')
      }</tbody></table><p class="muted" id="cluster-line">cluster ${esc(o.clusterId || '?')} · controller <b id="controller-id">${o.controllerId}</b> · ${o.brokers.filter((b) => b.live).length} live of ${o.brokers.length}</p></div>`;
      const urp = o.topics.reduce((n, t) => n + t.underReplicated, 0);
      document.getElementById('topics').outerHTML = `<div id="topics" style="margin-top:12px"><p class="muted">${o.topics.length} topics, ${o.topics.reduce((n, t) => n + t.partitions, 0)} partitions${urp > 0 ? `, <span class="badge warn" id="urp-total">${urp} under-replicated</span>` : ''}</p><table><thead><tr><th>Topic</th><th class="num">Partitions</th><th class="num">RF</th><th class="num">Under-replicated</th><th class="num">Offline</th><th class="num">Size</th></tr></thead><tbody>${
        o.topics.map((t) => `<tr data-topic="${esc(t.name)}" class="${t.offline > 0 ? 'offline' : t.underReplicated > 0 ? 'urp' : ''}"><td><a href="#/topic/${encodeURIComponent(t.name)}">${esc(t.name)}</a>${t.internal ? ' <span class="badge">internal</span>' : ''}</td><td class="num">${t.partitions}</td><td class="num">${t.replicationFactor}</td><td class="num urp-count">${t.underReplicated}</td><td class="num">${t.offline}</td><td class="num">${bytes(t.size)}</td></tr>`).join('')
      }</tbody></table></div>`;
      document.body.dataset.loaded = 'overview';
      markRendered('overview');
    });
  }

  function topicPage(name) {
    page.innerHTML = `<h1>Topic ${esc(name)}</h1>
      <p><a href="#/messages?topic=${encodeURIComponent(name)}">Browse messages</a> · <button class="danger" id="delete-topic">Delete topic</button> <span id="delete-result"></span></p>
      <section><h2>Partitions</h2><div id="partitions" class="muted">loading…</div></section>
      <section><h2>Configs</h2>
        <form id="set-config" class="inline"><label>name <input name="key" required></label><label>value <input name="value" required></label><button type="submit">Set</button><span id="config-result"></span></form>
        <div id="configs" style="margin-top:10px"></div></section>`;
    document.getElementById('delete-topic').addEventListener('click', async () => {
      if (!confirm(`Delete topic ${name}? Its data is removed for good.`)) return;
      const out = document.getElementById('delete-result');
      try {
        await api(`topics/${encodeURIComponent(name)}`, { method: 'DELETE' });
        out.textContent = 'deleted';
        location.hash = '#/';
      } catch (e) { out.className = 'error'; out.textContent = e.message; }
    });
    const alter = async (set, del) => {
      const out = document.getElementById('config-result');
      try {
        await post(`topics/${encodeURIComponent(name)}/configs`, { set, delete: del });
        out.className = 'muted';
        out.textContent = 'saved';
        await loadConfigs();
      } catch (e) { out.className = 'error'; out.textContent = e.message; }
    };
    document.getElementById('set-config').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      alter({ [f.get('key')]: String(f.get('value')) }, []);
    });
    let configsShown = false;
    const showConfigs = (configs) => {
      const el = document.getElementById('configs');
      el.innerHTML = `<table><thead><tr><th>Name</th><th>Value</th><th>Source</th><th></th></tr></thead><tbody>${configs.map((c) => `<tr data-config="${esc(c.name)}"><td>${esc(c.name)}</td><td>${c.sensitive ? '<i>sensitive</i>' : dash(c.value)}</td><td class="muted">${esc(c.source)}</td><td>${
        c.readOnly ? '' : `<button class="plain" data-edit="${esc(c.name)}">edit</button>${c.source === 'DYNAMIC_TOPIC_CONFIG' ? ` <button class="plain" data-reset="${esc(c.name)}">reset</button>` : ''}`}</td></tr>`).join('')}</tbody></table>`;
      el.querySelectorAll('[data-edit]').forEach((b) => b.addEventListener('click', () => {
        const f = document.getElementById('set-config');
        f.key.value = b.dataset.edit;
        f.value.value = configs.find((c) => c.name === b.dataset.edit).value || '';
        f.value.focus();
      }));
      el.querySelectorAll('[data-reset]').forEach((b) => b.addEventListener('click', () => alter({}, [b.dataset.reset])));
    };
    const loadConfigs = async () => showConfigs((await api(`topics/${encodeURIComponent(name)}`)).configs);
    every(async () => {
      const t = await api(`topics/${encodeURIComponent(name)}`);
      const live = new Set(t.liveBrokers);
      const ids = (xs) => xs.map((id) => (live.has(id) ? `${id}` : `<span class="badge dead">${id}</span>`)).join(', ');
      const urp = t.partitions.filter((p) => p.underReplicated).length;
      document.getElementById('partitions').outerHTML = `<div id="partitions"><p class="muted">${t.partitions.length} partitions${urp > 0 ? ` · <span class="badge warn">${urp} under-replicated</span>` : ''}</p><table><thead><tr><th class="num">Partition</th><th>Leader</th><th>Replicas</th><th>ISR</th><th></th><th class="num">Size</th><th class="num">Earliest</th><th class="num">Latest</th></tr></thead><tbody>${
        t.partitions.map((p) => `<tr data-partition="${p.partition}" class="${p.leader < 0 ? 'offline' : p.underReplicated ? 'urp' : ''}"><td class="num">${p.partition}</td><td>${p.leader < 0 ? '<span class="badge bad">none</span>' : p.leader}</td><td>${ids(p.replicas)}</td><td>${ids(p.isr)}</td><td>${p.underReplicated ? '<span class="badge warn">under-replicated</span>' : ''}</td><td class="num">${bytes(p.size)}</td><td class="num">${dash(p.earliest)}</td><td class="num">${dash(p.latest)}</td></tr>`).join('')
      }</tbody></table></div>`;
      if (!configsShown) { showConfigs(t.configs); configsShown = true; }
      document.body.dataset.loaded = 'topic';
      markRendered('topic');
    });
  }

  // ---- consumer groups ---------------------------------------------------------------------------

  const stateBadge = (s) => `<span class="badge ${s === 'Stable' ? 'live' : s === 'Dead' ? 'dead' : s === 'Empty' ? '' : 'warn'}">${esc(s)}</span>`;

  function groupsPage() {
    page.innerHTML = '<h1>Consumer groups</h1><section><div id="groups" class="muted">loading…</div></section>';
    every(async () => {
      const gs = await api('groups');
      document.getElementById('groups').outerHTML = gs.length === 0 ? '<div id="groups" class="notice">No consumer groups.</div>' : `<div id="groups"><table><thead><tr><th>Group</th><th>State</th><th class="num">Members</th><th class="num">Partitions</th><th class="num">Total lag</th><th>Lag</th></tr></thead><tbody>${
        gs.map((g) => `<tr data-group="${esc(g.group)}"><td><a href="#/group/${encodeURIComponent(g.group)}">${esc(g.group)}</a></td><td>${stateBadge(g.state)}</td><td class="num">${g.members.length}</td><td class="num">${g.offsets.length}</td><td class="num lag">${dash(g.totalLag)}</td><td>${sparkline(g.totalHistory.map((p) => p.lag))}</td></tr>`).join('')
      }</tbody></table></div>`;
      document.body.dataset.loaded = 'groups';
    });
  }

  function groupPage(name) {
    page.innerHTML = `<h1>Consumer group ${esc(name)}</h1><div id="group" class="muted">loading…</div>`;
    every(async () => {
      const g = await api(`groups/${encodeURIComponent(name)}`);
      document.getElementById('group').outerHTML = `<div id="group">
        <section><p>State ${stateBadge(g.state)} · coordinator broker ${g.coordinator} · protocol ${esc(g.protocol || '–')} · total lag <b id="group-total-lag">${dash(g.totalLag)}</b> ${sparkline(g.totalHistory.map((p) => p.lag), { width: 200, height: 30 })}</p></section>
        <section><h2>Members</h2>${g.members.length === 0 ? '<p class="muted">No active members.</p>' : `<table><thead><tr><th>Member</th><th>Client</th><th>Host</th><th>Assignment</th></tr></thead><tbody>${
          g.members.map((m) => `<tr><td>${esc(m.memberId)}</td><td>${esc(m.clientId)}</td><td>${esc(m.host)}</td><td>${m.assignment.map((a) => `${esc(a.topic)}: ${a.partitions.join(', ')}`).join('<br>')}</td></tr>`).join('')}</tbody></table>`}</section>
        <section><h2>Lag per partition</h2><table><thead><tr><th>Topic</th><th class="num">Partition</th><th class="num">Committed</th><th class="num">End</th><th class="num">Lag</th><th>History</th><th>Member</th></tr></thead><tbody>${
          g.offsets.map((o) => `<tr data-lag-partition="${esc(o.topic)}:${o.partition}"><td>${esc(o.topic)}</td><td class="num">${o.partition}</td><td class="num">${dash(o.committed)}</td><td class="num">${dash(o.end)}</td><td class="num lag">${dash(o.lag)}</td><td>${sparkline(o.history.map((p) => p.lag))}</td><td class="muted">${dash(o.memberId)}</td></tr>`).join('')
        }</tbody></table></section></div>`;
      document.body.dataset.loaded = 'group';
    });
  }

  // ---- messages ----------------------------------------------------------------------------------

  let format = 'text';
  function shown(r) {
    if (r.size === null) return '<span class="muted">null</span>';
    const body = format === 'hex' ? r.hex : format === 'json' ? (r.json !== null ? r.json : r.text !== null ? r.text : r.hex) : r.text !== null ? r.text : r.hex;
    return `<pre>${esc(body)}</pre>${r.truncated ? '<span class="muted">(truncated)</span>' : ''}`;
  }

  function messagesPage(q) {
    page.innerHTML = `<h1>Messages</h1><section>
      <form id="browse" class="inline">
        <label>topic <input name="topic" required list="topic-names" value="${esc(q.get('topic') || '')}"></label><datalist id="topic-names"></datalist>
        <label>partition <input name="partition" type="number" min="0" value="${esc(q.get('partition') || '0')}" style="width:80px"></label>
        <label>from <select name="mode"><option value="offset">offset</option><option value="timestamp"${q.get('timestamp') ? ' selected' : ''}>timestamp</option></select></label>
        <label>offset / time <input name="at" value="${esc(q.get('timestamp') || q.get('offset') || '')}" placeholder="0 · 2024-01-01T00:00:00Z · ms"></label>
        <label>limit <input name="limit" type="number" min="1" max="500" value="${esc(q.get('limit') || '50')}" style="width:80px"></label>
        <label>show as <select name="format"><option>text</option><option${format === 'json' ? ' selected' : ''}>json</option><option${format === 'hex' ? ' selected' : ''}>hex</option></select></label>
        <button type="submit">Browse</button>
      </form></section><section><div id="records" class="muted">Choose a topic and partition.</div></section>`;
    api('overview').then((o) => {
      document.getElementById('topic-names').innerHTML = o.topics.map((t) => `<option value="${esc(t.name)}">`).join('');
    }).catch(() => undefined);
    let last = null;
    const render = () => {
      const el = document.getElementById('records');
      if (!last) return;
      el.outerHTML = `<div id="records"><p class="muted">${esc(last.topic)}-${last.partition}: log ${dash(last.earliest)}…${dash(last.latest)}, from offset <b id="start-offset">${esc(last.startOffset)}</b>, ${last.records.length} records${last.note ? ` · ${esc(last.note)}` : ''}</p><table><thead><tr><th class="num">Offset</th><th>Timestamp</th><th>Key</th><th>Value</th><th>Headers</th></tr></thead><tbody>${
        last.records.map((r) => `<tr data-offset="${esc(r.offset)}"><td class="num">${esc(r.offset)}</td><td>${esc(time(r.timestamp))}</td><td class="key">${shown(r.key)}</td><td class="value">${shown(r.value)}</td><td>${r.headers.map((h) => `<div><b>${esc(h.key)}</b>: ${shown(h.value)}</div>`).join('')}</td></tr>`).join('')
      }</tbody></table></div>`;
    };
    const form = document.getElementById('browse');
    form.format.addEventListener('change', () => { format = form.format.value; render(); });
    const load = async () => {
      const f = new FormData(form);
      const p = new URLSearchParams({ topic: f.get('topic'), partition: f.get('partition'), limit: f.get('limit') });
      const at = String(f.get('at') || '').trim();
      if (at !== '') p.set(f.get('mode') === 'timestamp' ? 'timestamp' : 'offset', at);
      const el = document.getElementById('records');
      try {
        last = await api(`messages?${p}`);
        render();
        document.body.dataset.loaded = 'messages';
      } catch (e) {
        el.outerHTML = `<div id="records" class="error">${esc(e.message)}</div>`;
      }
    };
    form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
    if (q.get('topic')) load();
  }

  // ---- controller and metrics --------------------------------------------------------------------

  function controllerPage() {
    page.innerHTML = '<h1>Controller events</h1><section><div id="events" class="muted">loading…</div></section>';
    every(async () => {
      const c = await api('controller');
      document.getElementById('events').outerHTML = !c.available
        ? `<div id="events"><p>Active controller: broker <b>${c.controllerId}</b></p><p class="notice" id="events-unavailable">${esc(c.reason)}</p></div>`
        : `<div id="events"><p>Active controller: broker <b>${c.controllerId}</b> · from ${esc(c.url)}/controller/events</p>${c.events.length === 0 ? '<p class="muted">No events yet.</p>' : `<table><thead><tr><th>Time</th><th>Event</th><th>Detail</th><th class="num">Duration</th></tr></thead><tbody>${
          c.events.slice().reverse().map((e) => `<tr class="event"><td>${esc(time(e.time))}</td><td>${esc(e.type)}</td><td>${esc(e.detail)}</td><td class="num">${ms(e.durationMs)}</td></tr>`).join('')}</tbody></table>`}</div>`;
      document.body.dataset.loaded = 'controller';
    });
  }

  const COLORS = ['#2463eb', '#e8590c', '#2e7d32', '#9c27b0', '#00838f', '#c62828'];
  function metricsPage() {
    page.innerHTML = '<h1>Metrics</h1><div id="metrics" class="muted">loading…</div>';
    every(async () => {
      const m = await api('metrics');
      if (!m.available) {
        document.getElementById('metrics').outerHTML = `<div id="metrics"><p class="notice" id="metrics-unavailable">Metrics not available: ${esc(m.reason)}</p></div>`;
        document.body.dataset.loaded = 'metrics';
        return;
      }
      const pts = m.points;
      // Produce and Fetch (whose time includes its long poll) apart, every other request type merged.
      const latencySeries = (key) => [['Produce', 'Produce'], ['Fetch', 'Fetch'], ['*other', 'other requests']]
        .map(([k, name], i) => ({ name, color: COLORS[i], points: pts.map((p) => [p.time, p.latency[k] ? p.latency[k][key] : null]) }));
      const legend = (ss) => `<div class="legend">${ss.map((s) => `<span><i style="background:${s.color}"></i>${esc(s.name)}</span>`).join('')}</div>`;
      const io = [{ name: 'bytes in/s', color: COLORS[0], points: pts.map((p) => [p.time, p.bytesIn]) }, { name: 'bytes out/s', color: COLORS[1], points: pts.map((p) => [p.time, p.bytesOut]) }];
      const mean = latencySeries('mean');
      const p99 = latencySeries('p99');
      const missing = [...new Set(m.endpoints.flatMap((e) => e.missing))];
      document.getElementById('metrics').outerHTML = `<div id="metrics">
        <section><h2>Endpoints</h2><table><thead><tr><th>Broker</th><th>URL</th><th>Status</th></tr></thead><tbody>${m.endpoints.map((e) => `<tr><td>${dash(e.broker)}</td><td>${esc(e.url)}</td><td>${e.up ? '<span class="badge live">up</span>' : `<span class="badge dead">down</span> <span class="muted">${esc(e.error)}</span>`}</td></tr>`).join('')}</tbody></table>
        ${missing.length > 0 ? `<p class="notice">Not served by every broker (charts leave them out): ${missing.map(esc).join(', ')}</p>` : ''}</section>
        <div class="charts">
          <section class="chart" id="chart-bytes"><h2>Bytes in / out per second</h2>${lineChart(io, bytes)}${legend(io)}</section>
          <section class="chart" id="chart-latency"><h2>Request latency, mean</h2>${lineChart(mean, ms)}${legend(mean)}</section>
          <section class="chart" id="chart-p99"><h2>Request latency, p99</h2>${lineChart(p99, ms)}${legend(p99)}</section>
        </div></div>`;
      document.body.dataset.loaded = 'metrics';
    });
  }

  function show() {
    generation++;
    clearTimeout(timer);
    delete document.body.dataset.loaded;
    const r = route();
    document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === r.name || (r.name === 'topic' && a.dataset.nav === 'overview') || (r.name === 'group' && a.dataset.nav === 'groups')));
    switch (r.name) {
      case 'topic': return topicPage(r.arg);
      case 'groups': return groupsPage();
      case 'group': return groupPage(r.arg);
      case 'messages': return messagesPage(r.query);
      case 'controller': return controllerPage();
      case 'metrics': return metricsPage();
      default: return overviewPage();
    }
  }
  window.addEventListener('hashchange', show);
  show();
})();
