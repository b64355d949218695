// otpiser visualise: the page's only script (inlined; the page loads nothing). It draws the edges beside the
// server-rendered tree, collapses supervisors and shows a node's details on hover (preview) and click (pinned).
// Every manifest string reaches the page through textContent, never as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("otpiser-data").textContent);
  var canvas = document.getElementById("canvas");
  var tree = document.getElementById("tree");
  var svg = document.getElementById("edges");
  // Highlighted edges are copies in a layer of their own above the others, which fade as a whole: a hover then
  // repaints a few paths, never all of them (thousands on a large tree).
  var overlay = document.getElementById("edges-active");
  var details = document.getElementById("details");
  var NS = svg.namespaceURI;
  var heads = {};
  Array.prototype.forEach.call(document.querySelectorAll(".head[data-key]"), function (h) { heads[h.getAttribute("data-key")] = h; });
  var pinned = null;
  var focused = null;
  var paths = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // `code` spans of the explanations become <code>; everything is text nodes.
  function rich(tag, text) {
    var p = el(tag);
    String(text).split("`").forEach(function (part, i) {
      if (i % 2 === 1) p.appendChild(el("code", null, part));
      else if (part !== "") p.appendChild(document.createTextNode(part));
    });
    return p;
  }

  // The head a node's edges attach to: its own, or that of its outermost collapsed ancestor.
  function anchor(key) {
    var head = heads[key];
    var target = head;
    var up = head.parentElement.parentElement ? head.parentElement.parentElement.closest(".node") : null;
    for (; up; up = up.parentElement ? up.parentElement.closest(".node") : null) {
      if (up.classList.contains("collapsed")) target = up.querySelector(":scope > .head");
    }
    return target;
  }

  function draw() {
    paths.forEach(function (p) { p.remove(); });
    paths = [];
    var box = canvas.getBoundingClientRect();
    var right = tree.getBoundingClientRect().right - box.left;
    var items = [];
    data.edges.forEach(function (e) {
      var a = anchor(e.fromKey);
      var b = anchor(e.toKey);
      if (a === b) return;
      var ra = a.getBoundingClientRect();
      var rb = b.getBoundingClientRect();
      items.push({ e: e, a: a, b: b, x1: ra.right - box.left, y1: ra.top + ra.height / 2 - box.top, x2: rb.right - box.left, y2: rb.top + rb.height / 2 - box.top });
    });
    // A head with several edges spreads their ends over its height, ordered by where the other end is.
    var ends = new Map();
    items.forEach(function (it) {
      [[it.a, "y1", it.y2], [it.b, "y2", it.y1]].forEach(function (x) {
        if (!ends.has(x[0])) ends.set(x[0], []);
        ends.get(x[0]).push({ it: it, field: x[1], other: x[2] });
      });
    });
    ends.forEach(function (list, head) {
      if (list.length < 2) return;
      var r = head.getBoundingClientRect();
      var top = r.top - box.top + 3;
      var h = Math.max(r.height - 6, 1);
      list.sort(function (p, q) { return p.other - q.other; });
      list.forEach(function (x, i) { x.it[x.field] = top + (h * (i + 1)) / (list.length + 1); });
    });
    // Shorter edges on inner lanes; an edge takes the first lane where it overlaps no other.
    items.sort(function (p, q) { return Math.abs(p.y1 - p.y2) - Math.abs(q.y1 - q.y2) || p.y1 - q.y1; });
    var lanes = [];
    items.forEach(function (it) {
      var lo = Math.min(it.y1, it.y2) - 3;
      var hi = Math.max(it.y1, it.y2) + 3;
      var lane = 0;
      while (lanes[lane] && lanes[lane].some(function (r) { return lo < r[1] && hi > r[0]; })) lane++;
      (lanes[lane] = lanes[lane] || []).push([lo, hi]);
      it.lane = lane;
    });
    var gutter = 28 + lanes.length * 12;
    canvas.style.paddingRight = gutter + "px";
    [svg, overlay].forEach(function (layer) {
      layer.setAttribute("width", String(Math.ceil(right + gutter)));
      layer.setAttribute("height", String(Math.ceil(tree.getBoundingClientRect().height)));
    });
    items.forEach(function (it) {
      var gx = right + 16 + it.lane * 12;
      var dir = it.y2 > it.y1 ? 1 : -1;
      var r = Math.min(6, Math.abs(it.y2 - it.y1) / 2);
      var d = "M" + it.x1 + "," + it.y1 + " H" + (gx - r) + " Q" + gx + "," + it.y1 + " " + gx + "," + (it.y1 + dir * r) +
        " V" + (it.y2 - dir * r) + " Q" + gx + "," + it.y2 + " " + (gx - r) + "," + it.y2 + " H" + (it.x2 + 2);
      var path = document.createElementNS(NS, "path");
      path.setAttribute("d", d);
      path.setAttribute("class", "edge " + it.e.kind);
      path.setAttribute("data-from", it.e.fromKey);
      path.setAttribute("data-to", it.e.toKey);
      var title = document.createElementNS(NS, "title");
      title.textContent = it.e.from + (it.e.kind === "uses" ? " uses " : " depends on ") + it.e.to + (it.e.note ? " (" + it.e.note + ")" : "");
      path.appendChild(title);
      svg.appendChild(path);
      paths.push(path);
    });
    highlight();
  }

  // Copies the paths `pick` selects into the highlight layer; the other edges fade while any is highlighted.
  function emphasise(pick) {
    overlay.replaceChildren();
    if (pick) paths.forEach(function (p) { if (pick(p.getAttribute("data-from"), p.getAttribute("data-to"))) overlay.appendChild(p.cloneNode(true)); });
    svg.classList.toggle("dim", !!pick);
  }

  // Edges touching the focused node (hovered, else pinned) stand out; the others fade.
  function highlight() {
    var key = focused || pinned;
    emphasise(key === null ? null : function (from, to) { return from === key || to === key; });
    var related = {};
    if (key !== null) data.edges.forEach(function (e) {
      if (e.fromKey === key) related[e.toKey] = true;
      if (e.toKey === key) related[e.fromKey] = true;
    });
    Array.prototype.forEach.call(document.querySelectorAll(".head.related"), function (h) { h.classList.remove("related"); });
    Object.keys(related).forEach(function (k) { if (k !== key) heads[k].classList.add("related"); });
  }

  function names(list) {
    var span = el("span");
    list.forEach(function (x, i) {
      if (i > 0) span.appendChild(document.createTextNode(", "));
      var b = el("button", "link", x.id + (x.note ? " (" + x.note + ")" : ""));
      b.type = "button";
      b.setAttribute("data-key", x.key);
      span.appendChild(b);
    });
    return span;
  }

  function showDetails(key, preview) {
    details.replaceChildren();
    details.classList.toggle("preview", !!preview);
    if (key === null) {
      details.appendChild(el("p", "hint", "Hover over a node for its details; click to keep them here."));
      return;
    }
    var n = data.nodes[key];
    details.appendChild(el("h2", null, n.id));
    if (n.module !== n.id) details.appendChild(el("p", "module", n.module));
    var dl = el("dl");
    function row(label, value) {
      if (value === undefined || value === null || value === "") return;
      dl.appendChild(el("dt", null, label));
      var dd = el("dd");
      if (typeof value === "string" || typeof value === "number") dd.textContent = String(value);
      else dd.appendChild(value);
      dl.appendChild(dd);
    }
    row("kind", n.kind);
    row("type", n.type);
    if (n.strategy) row("strategy", n.strategy);
    if (n.maxRestarts !== undefined) row("intensity", "max " + n.maxRestarts + " restarts in " + n.maxSeconds + " s");
    row("restart", n.restart);
    if (n.shutdown !== undefined) row("shutdown", n.shutdown === "infinity" ? "infinity (a supervisor waits for its children)" : n.shutdown + " ms");
    if (n.significant) row("significant", "yes");
    if (n.autoShutdown) row("auto_shutdown", n.autoShutdown);
    if (n.template) row("template", n.poolSize !== undefined ? "pool worker, " + n.poolSize + " started at boot" : "started on demand");
    var nodeOf = function (k) { return { key: k, id: data.nodes[k].id }; };
    var out = data.edges.filter(function (e) { return e.fromKey === key; });
    var inn = data.edges.filter(function (e) { return e.toKey === key; });
    var pick = function (list, kind, end) {
      return list.filter(function (e) { return e.kind === kind; }).map(function (e) { var x = nodeOf(e[end]); x.note = e.note; return x; });
    };
    var groups = [
      ["depends on", pick(out, "depends_on", "toKey")],
      ["depended on by", pick(inn, "depends_on", "fromKey")],
      ["uses", pick(out, "uses", "toKey")],
      ["used by", pick(inn, "uses", "fromKey")],
    ];
    groups.forEach(function (g) { if (g[1].length > 0) row(g[0], names(g[1])); });
    if (n.restarts) {
      var more = n.restarts.count - n.restarts.ids.length;
      row("a crash restarts", n.restarts.count === 0 ? "nothing (temporary)" : n.restarts.ids.join(", ") + (more > 0 ? " and " + more + " more" : "") + " (" + n.restarts.count + ")");
    }
    details.appendChild(dl);
    if (n.doc) {
      details.appendChild(el("h3", null, n.origin === "support" ? "what" : "doc"));
      details.appendChild(el("p", "doc", n.doc));
    }
    n.why.forEach(function (w) {
      details.appendChild(el("h3", null, w.label));
      details.appendChild(rich("p", w.text)).className = "why";
    });
    // Why it sits where it does: its supervisor's strategy explanation (kept once, on the supervisor).
    var parent = n.parent !== undefined ? data.nodes[n.parent] : undefined;
    var because = parent ? parent.why.filter(function (w) { return w.label === "strategy"; })[0] : undefined;
    if (because) {
      details.appendChild(el("h3", null, "why under " + parent.id));
      details.appendChild(rich("p", because.text)).className = "why";
    }
  }

  function select(key) {
    if (pinned !== null && heads[pinned]) { heads[pinned].classList.remove("selected"); heads[pinned].setAttribute("aria-pressed", "false"); }
    pinned = key;
    if (key !== null) { heads[key].classList.add("selected"); heads[key].setAttribute("aria-pressed", "true"); }
    showDetails(key, false);
    highlight();
  }

  function setCollapsed(node, collapsed) {
    node.classList.toggle("collapsed", collapsed);
    var t = node.querySelector(":scope > .head .toggle");
    if (t) t.setAttribute("aria-expanded", String(!collapsed));
  }

  Object.keys(heads).forEach(function (key) {
    var h = heads[key];
    h.addEventListener("mouseenter", function () { focused = key; showDetails(key, key !== pinned); highlight(); });
    h.addEventListener("mouseleave", function () { focused = null; showDetails(pinned, false); highlight(); });
    h.addEventListener("click", function (ev) {
      if (ev.target.closest(".toggle")) {
        var node = h.parentElement;
        setCollapsed(node, !node.classList.contains("collapsed"));
        draw();
        return;
      }
      select(key);
    });
    h.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(key); }
    });
  });
  details.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.link");
    if (!b) return;
    var key = b.getAttribute("data-key");
    var node = heads[key].parentElement;
    for (var up = node.parentElement.closest(".node"); up; up = up.parentElement.closest(".node")) setCollapsed(up, false);
    draw();
    select(key);
    heads[key].scrollIntoView({ block: "nearest" });
  });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") select(null); });
  document.getElementById("expand-all").addEventListener("click", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".node.sup"), function (n) { setCollapsed(n, false); });
    draw();
  });
  document.getElementById("collapse-all").addEventListener("click", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".node.sup"), function (n) { setCollapsed(n, n !== tree.firstElementChild); });
    draw();
  });
  Array.prototype.forEach.call(document.querySelectorAll("#edge-list tbody tr"), function (tr) {
    tr.addEventListener("mouseenter", function () {
      tr.classList.add("active");
      emphasise(function (from, to) { return from === tr.getAttribute("data-from") && to === tr.getAttribute("data-to"); });
    });
    tr.addEventListener("mouseleave", function () { tr.classList.remove("active"); highlight(); });
  });
  if (typeof ResizeObserver === "function") new ResizeObserver(function () { draw(); }).observe(tree);
  window.addEventListener("resize", draw);
  draw();
  document.body.setAttribute("data-ready", "1");
})();
