// Pickbox dashboard: plain JS, no dependencies. When the node asks for its token (401), the page
// shows a sign-in form; the token is posted once to /v1/session and never kept: the browser holds
// an HttpOnly session cookie instead, which fetch and EventSource send to this origin.
(function () {
  'use strict';
  let cwd = '';
  let status = null;
  let source = null;
  let refreshTimer = null;
  const MAX_EVENTS = 200;

  const $ = (id) => document.getElementById(id);
  const el = (tag, props, ...children) => {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
    return e;
  };
  const encodePath = (p) => p.split('/').map(encodeURIComponent).join('/');
  const fmtBytes = (n) => {
    if (n == null) return '';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0; let v = n;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v : v.toFixed(1)) + ' ' + u[i];
  };
  const fmtTime = (ms) => ms ? new Date(ms).toLocaleString() : '';

  async function api(path) {
    const r = await fetch(path, { cache: 'no-store', credentials: 'same-origin' });
    const body = await r.json().catch(() => null);
    if (r.status === 401) showSignIn();
    if (!r.ok) throw new Error((body && (body.error + ': ' + body.detail)) || ('HTTP ' + r.status));
    return body;
  }

  // A change: JSON in, JSON out. The browser sends this page's Origin with it, which the node
  // requires of a change made with the session cookie.
  async function post(path, body) {
    const r = await fetch(path, {
      method: 'POST', cache: 'no-store', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    const answer = await r.json().catch(() => null);
    if (r.status === 401) showSignIn();
    if (!r.ok) throw new Error((answer && (answer.error + ': ' + answer.detail)) || ('HTTP ' + r.status));
    return answer;
  }

  // ------------------------------------------------------------ signing in and out

  let signedOut = false;

  function showSignIn() {
    if (signedOut) return;
    signedOut = true;
    if (source) { source.close(); source = null; }
    $('live').textContent = 'offline';
    $('live').className = 'badge off';
    $('dashboard').hidden = true;
    $('signout').hidden = true;
    $('signin').hidden = false;
    $('signin-token').focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const input = $('signin-token');
    const r = await fetch('/v1/session', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: input.value }),
    }).catch((e) => ({ ok: false, status: 0, json: async () => ({ error: 'unreachable', detail: String(e) }) }));
    if (!r.ok) {
      const body = await r.json().catch(() => null);
      $('signin-error').textContent = r.status === 401 ? 'Wrong token.' : ((body && body.error + ': ' + body.detail) || 'HTTP ' + r.status);
      input.select();
      return;
    }
    input.value = '';
    $('signin-error').textContent = '';
    $('signin').hidden = true;
    $('dashboard').hidden = false;
    $('signout').hidden = false;
    signedOut = false;
    start();
  }

  async function signOut() {
    await fetch('/v1/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => null);
    showSignIn();
  }

  // ------------------------------------------------------------ status and members

  async function refreshStatus() {
    try {
      status = await api('/v1/status');
      renderStatus(status);
      $('health').textContent = status.healthy ? 'healthy' : 'no leader';
      $('health').className = 'badge' + (status.healthy ? '' : ' bad');
    } catch (e) {
      $('health').textContent = 'unreachable';
      $('health').className = 'badge bad';
      $('node').textContent = String(e.message || e);
    }
  }

  function renderStatus(s) {
    $('node').textContent = 'node ' + s.node + ' · ' + s.role + ' · term ' + s.term;
    $('s-role').textContent = s.role;
    $('s-leader').textContent = s.leader || 'unknown';
    $('s-term').textContent = s.term;
    $('s-index').textContent = s.commitIndex + ' / ' + s.appliedIndex + (s.applyLag ? ' (lag ' + s.applyLag + ')' : '');
    $('s-files').textContent = s.files;
    $('s-bytes').textContent = fmtBytes(s.bytes);
    $('s-pending').textContent = s.pending === 0 ? '0 (in sync)' : s.pending;
    $('s-conflicts').textContent = s.conflicts;
    $('s-error').textContent = s.lastError || 'none';
    const tbody = $('members').tBodies[0];
    tbody.replaceChildren(...s.members.map((m) => {
      const tr = el('tr', { className: 'member' });
      tr.dataset.id = m.id;
      tr.append(
        el('td', {}, m.id + (m.self ? ' (this node)' : '')),
        el('td', {}, m.address),
        el('td', { className: 'role-' + m.role }, m.role),
        el('td', { className: m.reachable === false ? 'unreachable' : '' },
          m.reachable == null ? '?' : (m.reachable ? 'yes' : 'no')),
        el('td', { className: 'num' }, m.commitIndex == null ? '?' : m.commitIndex),
        el('td', { className: 'num' }, m.lag == null ? '?' : m.lag));
      return tr;
    }));
    const problems = [];
    for (const [p, why] of Object.entries(s.problems || {})) problems.push(el('li', {}, p + ': ' + why));
    for (const [p, b] of Object.entries(s.blocked || {})) problems.push(el('li', {}, p + ': blocked: ' + b.reason));
    const hidden = (s.problemsCount || 0) - Object.keys(s.problems || {}).length +
      (s.blockedCount || 0) - Object.keys(s.blocked || {}).length;
    if (hidden > 0) problems.push(el('li', {}, 'and ' + hidden + ' more (pickbox why PATH explains one)'));
    $('problems').replaceChildren(...problems);
  }

  // ------------------------------------------------------------ files and conflicts

  // The browser asks for one directory's entries a page at a time (never the whole tree); "more"
  // asks for the next page after the last path shown. A refresh reloads as many as are shown.
  const PAGE = 100;
  const MAX_PAGE = 10000;
  let filesShown = [];
  let filesNext = null;

  function filesQuery(after, limit) {
    return '/v1/files?children&limit=' + limit + (cwd ? '&prefix=' + encodeURIComponent(cwd) : '') +
      (after ? '&after=' + encodeURIComponent(after) : '');
  }

  async function refreshFiles() {
    let page;
    try {
      page = await api(filesQuery(null, Math.min(MAX_PAGE, Math.max(PAGE, filesShown.length))));
    } catch (e) {
      if (cwd) { cwd = ''; filesShown = []; return refreshFiles(); }
      return;
    }
    filesShown = page.entries;
    filesNext = page.next;
    renderFiles();
  }

  async function moreFiles() {
    if (!filesNext) return;
    const dir = cwd;
    const page = await api(filesQuery(filesNext, PAGE)).catch(() => null);
    if (!page || dir !== cwd) return;
    filesShown = filesShown.concat(page.entries);
    filesNext = page.next;
    renderFiles();
  }

  function openDir(path) {
    cwd = path;
    filesShown = [];
    filesNext = null;
    $('detail').hidden = true;
    $('history').hidden = true;
    refreshFiles();
  }

  function renderFiles() {
    const rows = [];
    if (cwd) {
      const up = el('a', { className: 'up' }, '..');
      up.onclick = () => openDir(cwd.includes('/') ? cwd.slice(0, cwd.lastIndexOf('/')) : '');
      rows.push(el('tr', {}, el('td', {}, up), el('td'), el('td'), el('td'), el('td'), el('td'), el('td')));
    }
    for (const f of filesShown) {
      const parent = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '';
      const name = f.path.slice(parent ? parent.length + 1 : 0);
      const link = el('a', {}, name + (f.type === 'dir' ? '/' : ''));
      link.onclick = () => { if (f.type === 'dir') openDir(f.path); else showDetail(f.path); };
      const tr = el('tr', { className: 'file' },
        el('td', {}, link),
        el('td', { className: 'num' }, f.type === 'dir' ? '' : fmtBytes(f.size)),
        el('td', {}, f.mode),
        el('td', { className: 'num' }, f.version),
        el('td', {}, fmtTime(f.mtime)),
        el('td', {}, f.origin || ''),
        el('td', {}, f.type === 'dir' ? '' : historyLink(f.path)));
      tr.dataset.path = f.path;
      rows.push(tr);
    }
    $('files').tBodies[0].replaceChildren(...rows);
    $('files-more').hidden = !filesNext;
    $('cwd').textContent = '/' + cwd;
  }

  let detailPath = null;

  async function showDetail(path) {
    detailPath = path;
    const d = $('detail');
    try {
      const f = await api('/v1/files/' + encodePath(path));
      const sync = f.sync || {};
      d.replaceChildren(
        el('div', {}, f.path + '  version ' + f.version + '  ' + fmtBytes(f.size) + '  mode ' + f.mode),
        el('div', {}, 'sha256 ' + (f.sha256 || '')),
        el('div', {}, 'this node: ' + sync.state + (sync.why ? ' — ' + sync.why : '')),
        el('div', {},
          el('a', { href: '/v1/files/' + encodePath(path) + '?content', download: path.split('/').pop() }, 'download'),
          ' · ', historyLink(path)));
    } catch (e) {
      d.replaceChildren(el('div', {}, path + ': ' + e.message));
    }
    d.hidden = false;
  }

  let conflictsShown = [];
  let conflictsNext = null;

  async function refreshConflicts() {
    try {
      const page = await api('/v1/conflicts?limit=' + Math.min(MAX_PAGE, Math.max(PAGE, conflictsShown.length)));
      conflictsShown = page.entries;
      conflictsNext = page.next;
      renderConflicts();
    } catch (e) { /* shown by the status line */ }
  }

  async function moreConflicts() {
    if (!conflictsNext) return;
    const page = await api('/v1/conflicts?limit=' + PAGE + '&after=' + encodeURIComponent(conflictsNext)).catch(() => null);
    if (!page) return;
    conflictsShown = conflictsShown.concat(page.entries);
    conflictsNext = page.next;
    renderConflicts();
  }

  function renderConflicts() {
    $('conflicts').tBodies[0].replaceChildren(...conflictsShown.map((c) =>
      el('tr', {}, el('td', {}, c.path), el('td', {}, c.conflictOf || ''), el('td', {}, c.origin || ''))));
    $('conflicts-more').hidden = !conflictsNext;
  }

  // ------------------------------------------------------------ history, restores and recently deleted

  const HISTORY_LIMIT = 200;
  let historyPath = null;

  function historyLink(path) {
    const a = el('a', { className: 'history-link' }, 'history');
    a.onclick = () => showHistory(path);
    return a;
  }

  const shortSha = (sha) => sha ? sha.slice(0, 12) : '-';
  const isoTime = (iso) => iso ? new Date(iso).toLocaleString() : '';

  // How a version stopped being current, as `pickbox history` says it.
  function whatHappened(v) {
    if (v.ending === 'current') return 'current';
    const byAt = ' by ' + (v.endedBy || '?') + ' at ' + isoTime(v.endedAt);
    switch (v.ending) {
      case 'edited': return 'edited' + byAt;
      case 'changed': return 'mode or time changed' + byAt;
      case 'deleted': return 'deleted' + byAt;
      case 'moved': return 'moved to ' + v.movedTo + byAt;
      case 'replaced': return 'replaced by a rename onto it' + byAt;
      case 'restored': return 'replaced by a restore' + byAt;
      default: return v.ending + byAt;
    }
  }

  const describeReport = (r) => 'restored ' + r.restored + ', unchanged ' + r.unchanged + ', kept ' + r.kept +
    ' (changed since), left ' + r.newer + ' (created after), conflicts ' + r.conflicts;

  function showResult(box, text, failed) {
    box.textContent = text;
    box.className = 'result' + (failed ? ' error' : '');
  }

  // Restores one version at its own path: a new change, applied on every node.
  async function restoreVersion(path, version, box) {
    showResult(box, 'restoring ' + path + ' version ' + version + '…', false);
    try {
      const report = await post('/v1/restore', { path, version });
      showResult(box, path + ' version ' + version + ': ' + describeReport(report), false);
    } catch (e) {
      showResult(box, 'restore of ' + path + ' version ' + version + ' failed: ' + e.message, true);
    }
    refreshTrash();
    refreshFiles();
    if (historyPath === path) loadHistory(path);
    if (detailPath === path && !$('detail').hidden) showDetail(path);
  }

  function showHistory(path) {
    historyPath = path;
    $('history-path').textContent = path;
    $('history-result').textContent = '';
    $('history').hidden = false;
    loadHistory(path);
  }

  async function loadHistory(path) {
    const tbody = $('history-versions').tBodies[0];
    let answer;
    try {
      answer = await api('/v1/history/' + encodePath(path) + '?limit=' + HISTORY_LIMIT);
    } catch (e) {
      if (historyPath !== path) return;
      tbody.replaceChildren();
      showResult($('history-result'), path + ': ' + e.message, true);
      return;
    }
    if (historyPath !== path) return;
    tbody.replaceChildren(...answer.versions.map((v) => {
      const action = v.current ? '' : el('button', { type: 'button', className: 'restore' }, 'Restore');
      if (!v.current) action.onclick = () => restoreVersion(path, v.version, $('history-result'));
      const tr = el('tr', { className: 'version' },
        el('td', { className: 'num' + (v.current ? ' current' : '') }, v.version),
        el('td', {}, isoTime(v.committedAt)),
        el('td', { className: 'num' }, v.kind === 'dir' ? 'dir' : fmtBytes(v.size)),
        el('td', {}, shortSha(v.sha256)),
        el('td', {}, v.node || ''),
        el('td', {}, whatHappened(v)),
        el('td', {}, action));
      tr.dataset.version = v.version;
      return tr;
    }));
  }

  let trashShown = [];
  let trashNext = null;

  async function refreshTrash() {
    try {
      const page = await api('/v1/trash?limit=' + Math.min(MAX_PAGE, Math.max(PAGE, trashShown.length)));
      trashShown = page.entries;
      trashNext = page.next;
      renderTrash();
    } catch (e) { /* shown by the status line */ }
  }

  async function moreTrash() {
    if (!trashNext) return;
    const page = await api('/v1/trash?limit=' + PAGE + '&after=' + encodeURIComponent(trashNext)).catch(() => null);
    if (!page) return;
    trashShown = trashShown.concat(page.entries);
    trashNext = page.next;
    renderTrash();
  }

  function renderTrash() {
    $('trash').tBodies[0].replaceChildren(...trashShown.map((t) => {
      const restore = el('button', { type: 'button', className: 'restore' }, 'Restore');
      restore.onclick = () => restoreVersion(t.path, t.version, $('trash-result'));
      const tr = el('tr', { className: 'deleted' },
        el('td', {}, t.path + (t.kind === 'dir' ? '/' : '')),
        el('td', {}, isoTime(t.deletedAt)),
        el('td', {}, t.node || ''),
        el('td', { className: 'num' }, t.kind === 'dir' ? '' : fmtBytes(t.size)),
        el('td', {}, restore));
      tr.dataset.path = t.path;
      tr.dataset.version = t.version;
      return tr;
    }));
    $('trash-more').hidden = !trashNext;
  }

  // ------------------------------------------------------------ live events

  function describe(ev) {
    const what = ev.op === 'rename' ? ev.path + ' → ' + ev.to : (ev.path || ev.peer || ev.trust || '');
    let out = '#' + ev.index + ' ' + ev.op.toUpperCase() + ' ' + what + ' by ' + (ev.origin || '?') + ': ' + ev.result;
    if (ev.resultPath && ev.resultPath !== ev.path && ev.resultPath !== ev.to) out += ' → ' + ev.resultPath;
    return out;
  }

  function connectEvents(since) {
    if (source) source.close();
    source = new EventSource('/v1/events' + (since != null ? '?since=' + since : ''));
    source.onopen = () => { $('live').textContent = 'live'; $('live').className = 'badge'; };
    source.onerror = () => { $('live').textContent = 'reconnecting'; $('live').className = 'badge off'; };
    source.addEventListener('op', (msg) => {
      const ev = JSON.parse(msg.data);
      const li = el('li', { className: ev.result }, describe(ev));
      li.dataset.index = ev.index;
      if (ev.path) li.dataset.path = ev.path;
      const list = $('events');
      list.prepend(li);
      while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
      scheduleRefresh();
    });
    source.addEventListener('mass-change', (msg) => {
      const ev = JSON.parse(msg.data);
      const li = el('li', { className: 'mass-change' }, 'MASS CHANGE by ' + ev.node + ': ' + ev.deleted + ' deleted, '
        + ev.rewritten + ' rewritten under ' + ev.path + '. Undo: ' + ev.undo);
      $('events').prepend(li);
    });
    source.addEventListener('gap', () => scheduleRefresh());
  }

  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refreshFiles();
      refreshConflicts();
      refreshTrash();
      if (historyPath && !$('history').hidden) loadHistory(historyPath);
      refreshStatus();
    }, 150);
  }

  async function start() {
    status = null;
    await refreshStatus();
    if (signedOut) return;
    const since = status ? Math.max(0, status.appliedIndex - 200) : null;
    connectEvents(since);
    refreshFiles();
    refreshConflicts();
    refreshTrash();
  }

  function main() {
    $('signin-form').addEventListener('submit', signIn);
    $('signout').addEventListener('click', signOut);
    $('files-more').addEventListener('click', moreFiles);
    $('conflicts-more').addEventListener('click', moreConflicts);
    $('trash-more').addEventListener('click', moreTrash);
    fetch('/v1/session', { cache: 'no-store', credentials: 'same-origin' })
      .then((r) => r.json()).then((s) => { if (s.signedIn) $('signout').hidden = false; }).catch(() => null);
    start();
    setInterval(() => { if (!signedOut) refreshStatus(); }, 1000);
    setInterval(() => { if (!signedOut) { refreshFiles(); refreshConflicts(); refreshTrash(); } }, 5000);
  }

  main();
})();
