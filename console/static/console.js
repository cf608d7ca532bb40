// The console's only script: pause/resume in place, validation as you
// type in the editor, and the live feed. Everything works without it but
// the live feed.
"use strict";
(function () {
  var csrf = document.body.getAttribute("data-csrf") || "";

  function post(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    });
  }

  // Pause and resume in place.
  document.querySelectorAll("form.pause").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      post(f.action, new FormData(f)).then(function (r) { return r.json(); }).then(function (j) {
        if (j.error) { alert(j.error); return; }
        var id = f.getAttribute("data-id");
        f.action = "/console/monitors/" + id + (j.paused ? "/resume" : "/pause");
        f.querySelector(".state").textContent = j.paused ? "paused" : "active";
        var b = f.querySelector("button");
        b.textContent = j.paused ? "Resume" : "Pause";
        b.focus();
      });
    });
  });

  // The editor: the API's validation as you type, messages at their line.
  var ta = document.getElementById("monitor");
  var probs = document.getElementById("problems");
  function gotoLine(n) {
    var lines = ta.value.split("\n"), at = 0;
    for (var i = 0; i < n - 1 && i < lines.length; i++) { at += lines[i].length + 1; }
    ta.focus();
    ta.setSelectionRange(at, at + (lines[n - 1] || "").length);
  }
  function show(list) {
    probs.textContent = "";
    list.forEach(function (p) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button"; b.className = "goto"; b.textContent = "line " + p.line;
      b.addEventListener("click", function () { gotoLine(p.line); });
      li.appendChild(b);
      li.appendChild(document.createTextNode(" " + p.message));
      probs.appendChild(li);
    });
    ta.setAttribute("aria-invalid", list.length ? "true" : "false");
  }
  if (ta && probs) {
    probs.querySelectorAll("button.goto").forEach(function (b) {
      b.addEventListener("click", function () { gotoLine(+b.getAttribute("data-line")); });
    });
    var timer = null, seq = 0;
    ta.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq, body = new URLSearchParams();
        body.set("monitor", ta.value);
        post("/console/editor/validate", body).then(function (r) { return r.json(); }).then(function (j) {
          if (mine !== seq) { return; }
          if (j.error) { show([{ line: 1, message: j.error }]); return; }
          show(j.problems || []);
          probs.setAttribute("data-checked", j.ok ? "ok" : "problems");
        });
      }, 400);
    });
  }

  // The live feed: the API's matches subscription over graphql-transport-ws,
  // resumed after the last event shown.
  var feed = document.getElementById("feed");
  if (!feed) { return; }
  var state = document.getElementById("live-state");
  var body = feed.querySelector("tbody");
  var last = sessionStorage.getItem("ozmon.live.last") || null;
  var delay = 500;
  function row(kind, cells) {
    var tr = document.createElement("tr");
    tr.className = kind;
    cells.forEach(function (c) { var td = document.createElement("td"); td.textContent = c == null ? "" : String(c); tr.appendChild(td); });
    body.insertBefore(tr, body.firstChild);
    while (body.children.length > 500) { body.removeChild(body.lastChild); }
  }
  function dig(o, path) {
    return path.split(".").reduce(function (x, k) { return x && typeof x === "object" ? x[k] : undefined; }, o);
  }
  function describe(m) {
    var inner = m && typeof m === "object" ? m[Object.keys(m)[0]] : null;
    return {
      name: dig(inner, "monitor.name") || "",
      ledger: dig(inner, "ledger.sequence") || dig(inner, "transaction.ledger") || dig(inner, "block.number") || "",
      tx: dig(inner, "transaction.transaction_hash") || dig(inner, "transaction.txHash") || dig(inner, "transaction.hash") || ""
    };
  }
  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/console/live/ws", "graphql-transport-ws");
    ws.onopen = function () { ws.send(JSON.stringify({ type: "connection_init", payload: {} })); };
    ws.onmessage = function (m) {
      var msg = JSON.parse(m.data);
      if (msg.type === "ping") { ws.send(JSON.stringify({ type: "pong" })); return; }
      if (msg.type === "connection_ack") {
        delay = 500;
        state.textContent = "live";
        feed.setAttribute("data-state", "live");
        ws.send(JSON.stringify({ id: "m", type: "subscribe", payload: {
          query: "subscription($a:String){matches(after:$a){kind id message monitor match}}", variables: { a: last } } }));
        return;
      }
      if (msg.type === "error") { state.textContent = "refused: " + JSON.stringify(msg.payload); return; }
      if (msg.type !== "next") { return; }
      if (msg.payload.errors) { state.textContent = "refused: " + msg.payload.errors[0].message; return; }
      var e = msg.payload.data.matches;
      if (e.kind === "EVENT") {
        var d = describe(e.match);
        row("match", ["match", d.name || e.monitor, d.ledger, d.tx]);
        last = e.id;
        sessionStorage.setItem("ozmon.live.last", last);
      } else {
        row("notice", [e.kind.toLowerCase(), e.message || "", "", ""]);
        if (e.kind === "GAP") { last = null; sessionStorage.removeItem("ozmon.live.last"); }
      }
    };
    ws.onclose = function () {
      state.textContent = "reconnecting…";
      feed.setAttribute("data-state", "down");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }
  connect();
})();
