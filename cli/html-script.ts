/**
 * The script of the HTML report (html.ts), as one string: the page's CSP allows exactly this text
 * by its hash. It reads the report's data from a JSON block (never executed), renders only the
 * page of rows on screen (100 at a time), sorts on keys computed once at load (names ranked once
 * with `Intl.Collator`, everything else as integers) and writes every value with `textContent`,
 * never as HTML.
 *
 * Data (html.ts `pageData`): `s` a string table; `res` resources `[account, kind, id, name]`
 * (kind 1 = IAM user); `ev` evaluations `[resource, rule, verdict, annotation, reason,
 * exemptionStatus, exemptionUntil, verdictWithoutExemption, evidenceSource, evidenceAt,
 * recordedAt, region, exemptionSource (0 tag, 1 registry)]`, numbers indexing `s` (−1: none); an annotation index ≥ 0 is a template
 * in which U+0001 stands for the resource's name, < 0 the text itself at `s[−i − 1]`.
 */
export const SCRIPT = `
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.remove('nojs');
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var S = data.s, RES = data.res, EV = data.ev, RULES = data.rules;
  var PAGE = 50;
  var collator = new Intl.Collator('en', { numeric: true });
  var VERDICTS = ['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE'];
  var LABEL = ['Non-compliant', 'Compliant', 'Not applicable'];
  var CLS = ['nc', 'ok', 'na'];
  var EXEMPT = ['honoured', 'expired', 'too-long', 'unreadable', 'ignored'];
  var SOURCE = ['tag', 'registry'];
  var EVIDENCE = [
    'credential report',
    'credential report + virtual MFA devices now',
    'credential report + MFA devices listed live',
    'IAM, read live',
  ];
  var SEVERITY = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
  var org = data.kind === 'organization';

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function fmt(n) { return n.toLocaleString('en'); }
  function str(i) { return i >= 0 ? S[i] : ''; }
  function annotation(e) {
    var i = e[3];
    return i >= 0 ? S[i].split('\\u0001').join(RES[e[0]][3]) : S[-i - 1];
  }
  function when(i) { return i >= 0 ? S[i].replace('T', ' ').replace(/\\.\\d+Z$/, 'Z') : ''; }
  function ruleSeverity(r) { return SEVERITY.indexOf(RULES[r].severity); }

  /* Ranks computed once: names by the collator, times as strings (ISO 8601 sorts as text). */
  var nameRank = new Int32Array(RES.length);
  (function () {
    var order = [];
    for (var i = 0; i < RES.length; i++) order.push(i);
    order.sort(function (a, b) {
      return collator.compare(RES[a][3], RES[b][3]) || (RES[a][2] < RES[b][2] ? -1 : RES[a][2] > RES[b][2] ? 1 : 0);
    });
    for (var k = 0; k < order.length; k++) nameRank[order[k]] = k;
  })();

  function badge(verdict, exemption) {
    var span = el('span', 'badge ' + (exemption === 0 ? 'ex' : CLS[verdict]), exemption === 0 ? 'Exempt' : LABEL[verdict]);
    span.title = VERDICTS[verdict] + (exemption === 0 ? ' (exemption honoured)' : '');
    return span;
  }

  /* Sticky bar: the table headers stick right under it. */
  var bar = $('bar');
  function stickTop() { root.style.setProperty('--bar-h', bar.offsetHeight + 'px'); }
  window.addEventListener('resize', stickTop);

  /* ---------------------------------------------------------------- views */
  var views = Array.prototype.slice.call(document.querySelectorAll('[data-view]'));
  var tabs = Array.prototype.slice.call(document.querySelectorAll('[data-tab]'));
  function show(name) {
    views.forEach(function (v) { v.hidden = v.getAttribute('data-view') !== name; });
    tabs.forEach(function (t) { t.setAttribute('aria-selected', String(t.getAttribute('data-tab') === name)); });
    Array.prototype.forEach.call(document.querySelectorAll('[data-controls]'), function (c) {
      c.hidden = c.getAttribute('data-controls') !== name;
    });
    stickTop();
  }
  tabs.forEach(function (t) { t.addEventListener('click', function () { show(t.getAttribute('data-tab')); }); });

  /* A paged, sorted, filtered list of items rendered into a tbody. */
  function Pager(prefix, count, renderRow, noun) {
    var self = this;
    self.order = null; self.shown = null; self.page = 0;
    self.body = $(prefix + '-body');
    self.status = $(prefix + '-status');
    self.prev = $(prefix + '-prev'); self.next = $(prefix + '-next');
    self.render = function () {
      var shown = self.shown, pages = Math.max(1, Math.ceil(shown.length / PAGE));
      if (self.page >= pages) self.page = pages - 1;
      var from = self.page * PAGE, to = Math.min(shown.length, from + PAGE);
      var fragment = document.createDocumentFragment();
      for (var i = from; i < to; i++) fragment.appendChild(renderRow(shown[i]));
      self.body.replaceChildren(fragment);
      self.status.textContent = shown.length === 0 ? 'no ' + noun + ' match' :
        fmt(from + 1) + '–' + fmt(to) + ' of ' + fmt(shown.length) + ' ' + noun + (shown.length < count ? ' (of ' + fmt(count) + ')' : '');
      self.prev.disabled = self.page === 0;
      self.next.disabled = self.page >= pages - 1;
    };
    self.prev.addEventListener('click', function () { self.page--; self.render(); });
    self.next.addEventListener('click', function () { self.page++; self.render(); });
  }

  function sortHeaders(table, onSort) {
    var headers = Array.prototype.slice.call(table.querySelectorAll('thead th[data-key]'));
    headers.forEach(function (th) {
      th.querySelector('button').addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir);
        onSort(th.getAttribute('data-key'), dir === 'ascending' ? 1 : -1);
      });
    });
  }

  /* ---------------------------------------------------------------- users × rules */
  var matrix = $('users-table');
  var users = [];
  if (matrix) {
    var cols = [];
    RULES.forEach(function (r, i) { if (r.user) cols.push(i); });
    var colOf = {};
    cols.forEach(function (r, c) { colOf[r] = c; });
    var byRes = {};
    for (var i = 0; i < EV.length; i++) {
      var e = EV[i];
      if (RES[e[0]][1] !== 1 || colOf[e[1]] === undefined) continue;
      var u = byRes[e[0]];
      if (!u) {
        u = byRes[e[0]] = { r: e[0], cells: [], fails: 0, worst: 9, hay: '' };
        for (var c = 0; c < cols.length; c++) u.cells.push(-1);
        users.push(u);
      }
      u.cells[colOf[e[1]]] = i;
      if (e[2] === 0) { u.fails++; u.worst = Math.min(u.worst, ruleSeverity(e[1])); }
    }
    users.forEach(function (u) {
      var r = RES[u.r], parts = [r[3], r[2], data.accounts[r[0]]];
      u.cells.forEach(function (i) { if (i >= 0) { parts.push(str(EV[i][4])); parts.push(str(EV[i][5] >= 0 ? EV[i][6] : -1)); } });
      u.hay = parts.join(' ').toLowerCase();
      u.name = nameRank[u.r];
    });
    /* Failing users first: the worst severity they fail, then how many rules, then the name. */
    var failingFirst = function (a, b) { return a.worst - b.worst || b.fails - a.fails || a.name - b.name; };
    var userPager = new Pager('users', users.length, function (u) {
      var r = RES[u.r];
      var tr = el('tr', u.fails > 0 ? 'failing' : '');
      var th = el('th', 'who');
      th.scope = 'row';
      th.appendChild(el('span', 'name', r[3]));
      if (r[2] !== r[3]) th.appendChild(el('span', 'id', r[2]));
      tr.appendChild(th);
      var f = el('td', 'num fails', u.fails > 0 ? String(u.fails) : '0');
      f.setAttribute('data-label', 'Failing rules');
      tr.appendChild(f);
      u.cells.forEach(function (i, c) {
        var td = el('td', 'cell');
        td.setAttribute('data-label', RULES[cols[c]].name);
        if (i < 0) { td.appendChild(el('span', 'muted', 'not listed')); tr.appendChild(td); return; }
        var e = EV[i];
        td.appendChild(badge(e[2], e[5]));
        td.appendChild(el('span', 'why', str(e[4])));
        /* The full annotation on demand: rendered when asked for (fewer nodes per page). */
        var more = el('button', 'more', 'annotation');
        more.type = 'button';
        more.setAttribute('aria-expanded', 'false');
        more.setAttribute('data-ev', String(i));
        td.appendChild(more);
        tr.appendChild(td);
      });
      return tr;
    }, 'users');
    userPager.body.addEventListener('click', function (event) {
      var button = event.target;
      if (!button.classList || !button.classList.contains('more')) return;
      var open = button.getAttribute('aria-expanded') === 'true';
      button.setAttribute('aria-expanded', String(!open));
      if (open) { button.parentNode.removeChild(button.nextSibling); return; }
      var e = EV[Number(button.getAttribute('data-ev'))];
      var box = el('div', 'full');
      box.appendChild(el('p', '', annotation(e)));
      var evidence = e[8] >= 0 ? EVIDENCE[e[8]] + ', ' + when(e[9]) : 'as recorded ' + when(e[10]);
      box.appendChild(el('p', 'muted', 'Evidence: ' + evidence + (e[5] >= 0 ? ' · exemption ' + EXEMPT[e[5]] + (e[12] >= 0 ? ' by ' + SOURCE[e[12]] : '') + (e[6] >= 0 ? ' (' + S[e[6]] + ')' : '') + (e[7] >= 0 ? ', replaced ' + VERDICTS[e[7]] : '') : '')));
      button.parentNode.insertBefore(box, button.nextSibling);
    });
    var uText = $('users-text'), uVerdict = $('users-verdict'), uRule = $('users-rule');
    /* Each order is sorted once, then kept: a filter walks it and keeps the order. */
    var uOrders = {}, uKey = 'default', uCompare = { 'default': failingFirst };
    var uOrder = function () {
      if (!uOrders[uKey]) uOrders[uKey] = users.slice().sort(uCompare[uKey]);
      return uOrders[uKey];
    };
    var applyUsers = function () {
      var needle = uText.value.trim().toLowerCase();
      var verdict = uVerdict.value, rule = uRule.value === '' ? -1 : colOf[Number(uRule.value)];
      var want = verdict === 'EXEMPT' ? -2 : VERDICTS.indexOf(verdict);
      var shown = [], order = uOrder();
      for (var k = 0; k < order.length; k++) {
        var u = order[k];
        if (needle && u.hay.indexOf(needle) < 0) continue;
        if (want !== -1 || rule !== -1) {
          var hit = false;
          for (var c = 0; c < u.cells.length && !hit; c++) {
            if (rule !== -1 && c !== rule) continue;
            var i = u.cells[c];
            if (i < 0) continue;
            hit = want === -1 || (want === -2 ? EV[i][5] === 0 : EV[i][2] === want);
          }
          if (!hit) continue;
        }
        shown.push(u);
      }
      userPager.shown = shown; userPager.page = 0; userPager.render();
    };
    [uText, uVerdict, uRule].forEach(function (c) { c.addEventListener('input', applyUsers); });
    sortHeaders(matrix, function (key, sign) {
      uKey = key + ':' + sign;
      if (!uCompare[uKey]) {
        if (key === 'name') uCompare[uKey] = function (a, b) { return sign * (a.name - b.name); };
        else if (key === 'fails') uCompare[uKey] = function (a, b) { return sign * (b.fails - a.fails) || failingFirst(a, b); };
        else {
          var c = Number(key);
          uCompare[uKey] = function (a, b) {
            var x = a.cells[c] < 0 ? 3 : EV[a.cells[c]][2], y = b.cells[c] < 0 ? 3 : EV[b.cells[c]][2];
            return sign * (x - y) || failingFirst(a, b);
          };
        }
      }
      applyUsers();
    });
    applyUsers();
  }

  /* ---------------------------------------------------------------- evaluations */
  var evTable = $('evaluations-table');
  if (evTable) {
    var items = [];
    for (var j = 0; j < EV.length; j++) items.push(j);
    var hay = null;
    var buildHay = function () {
      if (hay) return;
      hay = new Array(EV.length);
      for (var k = 0; k < EV.length; k++) {
        var e = EV[k], r = RES[e[0]];
        hay[k] = (r[3] + ' ' + r[2] + ' ' + data.accounts[r[0]] + ' ' + RULES[e[1]].name + ' ' + annotation(e)).toLowerCase();
      }
    };
    var evPager = new Pager('evaluations', EV.length, function (k) {
      var e = EV[k], r = RES[e[0]], rule = RULES[e[1]];
      var tr = el('tr', e[2] === 0 ? 'failing' : '');
      function cell(label, cls, text) {
        var td = el('td', cls, text);
        td.setAttribute('data-label', label);
        tr.appendChild(td);
        return td;
      }
      if (org) { cell('Account', 'id', data.accounts[r[0]]); cell('Region', '', data.regions[e[11]]); }
      var ruleCell = cell('Rule', '');
      ruleCell.appendChild(el('code', '', rule.name));
      ruleCell.appendChild(el('span', 'sev sev-' + rule.severity.toLowerCase(), rule.severity));
      var who = cell('Resource', 'who');
      who.appendChild(el('span', 'name', r[3]));
      if (r[2] !== r[3]) who.appendChild(el('span', 'id', r[2]));
      var v = cell('Verdict', '');
      v.appendChild(badge(e[2], e[5]));
      if (e[5] >= 0) v.appendChild(el('span', 'why', 'exemption ' + EXEMPT[e[5]] + (e[12] >= 0 ? ' by ' + SOURCE[e[12]] : '') + (e[6] >= 0 ? ' (' + S[e[6]] + ')' : '') + (e[7] >= 0 ? ', was ' + VERDICTS[e[7]] : '')));
      cell('Evidence', 'when', e[8] >= 0 ? EVIDENCE[e[8]] + ' · ' + when(e[9]) : 'recorded ' + when(e[10]));
      cell('Annotation', 'annotation', annotation(e));
      return tr;
    }, 'evaluations');
    var eText = $('evaluations-text'), eVerdict = $('evaluations-verdict'), eRule = $('evaluations-rule'), eAccount = $('evaluations-account');
    var eOrders = { 'default': items }, eKey = 'default', eCompare = {};
    var eOrder = function () {
      if (!eOrders[eKey]) eOrders[eKey] = items.slice().sort(eCompare[eKey]);
      return eOrders[eKey];
    };
    var applyEvaluations = function () {
      var needle = eText.value.trim().toLowerCase();
      if (needle) buildHay();
      var verdict = eVerdict.value, want = verdict === 'EXEMPT' ? -2 : VERDICTS.indexOf(verdict);
      var rule = eRule.value === '' ? -1 : Number(eRule.value);
      var account = eAccount && eAccount.value !== '' ? Number(eAccount.value) : -1;
      var shown = [], order = eOrder();
      for (var n = 0; n < order.length; n++) {
        var k = order[n], e = EV[k];
        if (rule !== -1 && e[1] !== rule) continue;
        if (want === -2 ? e[5] !== 0 : want !== -1 && e[2] !== want) continue;
        if (account !== -1 && RES[e[0]][0] !== account) continue;
        if (needle && hay[k].indexOf(needle) < 0) continue;
        shown.push(k);
      }
      evPager.shown = shown; evPager.page = 0; evPager.render();
    };
    [eText, eVerdict, eRule, eAccount].forEach(function (c) { if (c) c.addEventListener('input', applyEvaluations); });
    sortHeaders(evTable, function (key, sign) {
      eKey = key + ':' + sign;
      if (eCompare[eKey]) { applyEvaluations(); return; }
      var keyOf;
      if (key === 'rule') keyOf = function (k) { return EV[k][1]; };
      else if (key === 'resource') keyOf = function (k) { return nameRank[EV[k][0]]; };
      else if (key === 'verdict') keyOf = function (k) { return EV[k][2]; };
      else if (key === 'evidence') keyOf = function (k) { return EV[k][9] >= 0 ? EV[k][9] : EV[k][10]; };
      else if (key === 'account') keyOf = function (k) { return RES[EV[k][0]][0]; };
      else keyOf = function (k) { return k; };
      if (key === 'evidence') {
        /* rank the time strings once, then compare integers */
        var times = {}, list = [];
        EV.forEach(function (e) { var t = e[9] >= 0 ? e[9] : e[10]; if (!(t in times)) { times[t] = 0; list.push(t); } });
        list.sort(function (a, b) { return str(a) < str(b) ? -1 : str(a) > str(b) ? 1 : 0; });
        list.forEach(function (t, n) { times[t] = n; });
        var raw = keyOf;
        keyOf = function (k) { return times[raw(k)]; };
      }
      eCompare[eKey] = function (a, b) { return sign * (keyOf(a) - keyOf(b)) || a - b; };
      applyEvaluations();
    });
    applyEvaluations();
    setTimeout(buildHay, 0);
  }

  /* ---------------------------------------------------------------- frameworks */
  var pick = $('framework');
  if (pick) {
    var tables = Array.prototype.slice.call(document.querySelectorAll('[data-framework]'));
    var showFramework = function () {
      tables.forEach(function (t) { t.hidden = t.getAttribute('data-framework') !== pick.value; });
    };
    pick.addEventListener('input', showFramework);
    showFramework();
  }

  /* ---------------------------------------------------------------- summary links filter */
  Array.prototype.forEach.call(document.querySelectorAll('a[data-filter-view]'), function (a) {
    a.addEventListener('click', function (event) {
      event.preventDefault();
      var view = a.getAttribute('data-filter-view');
      var prefix = view === 'users' ? 'users' : 'evaluations';
      $(prefix + '-verdict').value = a.getAttribute('data-verdict') || '';
      $(prefix + '-rule').value = a.getAttribute('data-rule') || '';
      $(prefix + '-text').value = '';
      var account = $(prefix + '-account');
      if (account) account.value = a.getAttribute('data-account') || '';
      show(view);
      $(prefix + '-verdict').dispatchEvent(new Event('input'));
      bar.scrollIntoView();
    });
  });

  show(tabs.length ? tabs[0].getAttribute('data-tab') : '');
})();
`;
