// Challenge page: watch the challenge's room and keep the board and "You" as the server
// would draw them. The server sends only the entrant that changed (with where it stood
// before and the board's version); board.js places it by the server's rule where this
// page's rows are enough to know, and the page reads the board again where they are not
// (at most once a second), after a reconnect, and when it was read before a change.
(function () {
  "use strict";
  const root = document.querySelector("[data-challenge-live]");
  if (!root || !window.Runhive || !window.Runhive.live || !window.Runhive.board) return;
  const live = window.Runhive.live;
  const rule = window.Runhive.board;
  const challengeId = Number(root.dataset.challengeId);
  const kind = root.dataset.kind;
  const units = root.dataset.units;
  const me = Number(root.dataset.me);
  const REREAD_MS = 1000;

  function duration(seconds) {
    const total = Math.round(seconds);
    const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    const two = function (n) { return String(n).padStart(2, "0"); };
    return h ? h + ":" + two(m) + ":" + two(s) : m + ":" + two(s);
  }

  // The same wording as challenges/rules.py format_total.
  function format(value) {
    if (value === null || value === undefined) return "—";
    if (kind === "distance" || kind === "longest_run" || kind === "club_goal") {
      return (value / (units === "mi" ? 1609.344 : 1000)).toFixed(2) + (units === "mi" ? " mi" : " km");
    }
    if (kind === "fastest_effort") {
      const tenths = Math.round(value * 10);
      return duration(Math.floor(tenths / 10)) + "." + (tenths % 10);
    }
    if (kind === "time") return duration(value);
    if (kind === "elevation") return units === "mi" ? Math.round(value * 3.28084) + " ft" : Math.round(value) + " m";
    const n = Math.round(value);
    if (kind === "streak") return n + (n === 1 ? " week" : " weeks");
    return n + (n === 1 ? " run" : " runs");
  }

  // The page's goal bars (templates/_progress.html) measure one total: the club's for a
  // club goal, the runner's own otherwise. Set through the width attribute, as drawn.
  function showProgress(total) {
    const goal = Number(root.dataset.goal);
    if (!goal || total === null) return;
    const percent = Math.max(0, Math.min(100, total / goal * 100));
    document.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.setAttribute("aria-valuenow", String(Math.round(percent)));
      bar.querySelector("[data-progress-fill]").setAttribute("width", percent.toFixed(1));
    });
  }

  function key(element) {
    return {
      id: Number(element.dataset.entryId),
      score: Number(element.dataset.score),
      reached: Number(element.dataset.reached),
    };
  }

  // What the page shows, in board.js's terms.
  function read() {
    const section = document.getElementById("board");
    const body = section.querySelector("[data-board-rows]");
    const rows = body ? Array.from(body.querySelectorAll("tr[data-entry-id]")).map(function (tr) {
      return Object.assign(key(tr), {
        user: Number(tr.dataset.userId),
        rank: Number(tr.querySelector("[data-rank]").textContent),
      });
    }) : [];
    const panel = document.getElementById("my-standing");
    const mine = panel && kind !== "club_goal" ? {
      id: Number(panel.dataset.entryId),
      hidden: panel.dataset.hidden === "true",
      rank: Number(panel.querySelector("[data-my-rank]").textContent) || null,
      around: Array.from(panel.querySelectorAll("[data-around] li")).map(function (li) {
        return Object.assign(key(li), { rank: Number(li.dataset.rank) });
      }),
    } : null;
    return {
      rows: rows,
      offset: Number(section.dataset.offset || 0),
      perPage: Number(section.dataset.perPage),
      hasNext: Boolean(body) && body.dataset.hasNext === "true",
      scope: section.dataset.scope,
      version: Number(section.dataset.version),
      mine: mine,
      body: body,
    };
  }

  // The runner's face as templates/_avatar.html draws it: initials on a colour by id, under
  // the picture when there is one.
  function face(data) {
    const span = document.createElement("span");
    span.className = "avatar avatar-sm avatar-c" + (data.user_id % 8);
    span.dataset.initials = data.initials;
    span.setAttribute("aria-hidden", "true");
    if (data.avatar_key) {
      const img = document.createElement("img");
      img.src = "/avatars/" + data.user_id + "/sm/" + encodeURIComponent(data.avatar_key) + ".webp";
      img.alt = "";
      img.dataset.initials = data.initials;
      img.loading = "lazy";
      img.decoding = "async";
      span.appendChild(img);
    }
    return span;
  }

  function newRow(data) {
    const row = document.createElement("tr");
    const rank = document.createElement("td");
    rank.className = "num";
    rank.dataset.rank = "";
    const who = document.createElement("td");
    const named = document.createElement("span");
    named.className = "with-face";
    const link = document.createElement("a");
    link.href = "/u/" + encodeURIComponent(data.username);
    link.textContent = data.display_name;
    named.append(face(data), link);
    who.appendChild(named);
    const total = document.createElement("td");
    total.className = "num";
    total.dataset.total = "";
    row.append(rank, who, total);
    row.dataset.entryId = String(data.entry_id);
    if (data.user_id === me) {
      row.className = "me";
      row.setAttribute("aria-current", "true");
    }
    return row;
  }

  // The changed entrant's own cells: total and "Done", as the server writes them.
  function fill(tr, data) {
    tr.querySelector("[data-total]").textContent = format(data.total);
    const who = tr.cells[1];
    let badge = who.querySelector(".badge");
    if (data.completed && !badge) {
      badge = document.createElement("span");
      badge.className = "badge pb";
      badge.textContent = "Done";
      who.append(" ", badge);
    } else if (!data.completed && badge) {
      badge.remove();
    }
  }

  function draw(body, rows, hasNext, data) {
    const shown = {};
    body.querySelectorAll("tr[data-entry-id]").forEach(function (tr) { shown[tr.dataset.entryId] = tr; });
    rows.forEach(function (row) {
      let tr = shown[row.id];
      delete shown[row.id];
      if (!tr) tr = newRow(data); // only the entrant that changed can be new here
      if (row.id === data.entry_id && data.total !== undefined) fill(tr, data);
      tr.dataset.userId = String(row.user);
      tr.dataset.score = String(row.score);
      tr.dataset.reached = String(row.reached);
      tr.querySelector("[data-rank]").textContent = String(row.rank);
      body.appendChild(tr);
    });
    Object.keys(shown).forEach(function (id) { shown[id].remove(); });
    body.dataset.hasNext = hasNext ? "true" : "false";
  }

  // "You": the rank, and the rows around, read off the board's rows on this page.
  function drawMine(mine) {
    const rank = document.querySelector("[data-my-rank]");
    if (rank) rank.textContent = mine.rank ? String(mine.rank) : "—";
    const list = document.querySelector("[data-around]");
    if (!list) { refreshSoon(); return; }
    list.replaceChildren.apply(list, mine.around.map(function (row) {
      const tr = document.querySelector('#board tr[data-entry-id="' + row.id + '"]');
      const item = document.createElement("li");
      item.dataset.entryId = String(row.id);
      item.dataset.score = String(row.score);
      item.dataset.reached = String(row.reached);
      item.dataset.rank = String(row.rank);
      item.textContent = row.rank + ". " + tr.cells[1].querySelector("a").textContent + " · " +
        tr.querySelector("[data-total]").textContent;
      if (row.id === mine.id) item.setAttribute("aria-current", "true");
      return item;
    }));
  }

  function place(data) {
    if (kind === "club_goal" || document.querySelector("[data-board-frozen]")) return;
    const now = read();
    const result = rule.apply(now, rule.change(data), me);
    if (result.rows !== now.rows) {
      // An empty board has no table to draw into: the server draws the first row.
      if (!now.body) { refreshSoon(); return; }
      draw(now.body, result.rows, result.hasNext, data);
    }
    if (result.mine && result.mine !== now.mine) drawMine(result.mine);
    if (result.refresh) refreshSoon();
  }

  // Events heard while the board is being read again: drawn again on the board read.
  let reading = null;
  // The newest version heard for each entrant: an older event arriving late is dropped.
  const newest = {};

  function heard(data) {
    if (data.challenge_id !== challengeId) return;
    if (newest[data.entry_id] > data.version) return;
    newest[data.entry_id] = data.version;
    if (reading) reading.push(data);
    show(data);
  }

  function show(data) {
    // The page was read after this change: it shows it already.
    if (data.version <= Number(document.getElementById("board").dataset.version)) return;
    if (data.user_id === me && data.total !== undefined) {
      const total = document.querySelector("[data-my-total]");
      if (total) total.textContent = format(data.total);
      if (kind !== "club_goal") showProgress(data.total);
    }
    if (data.club_total !== undefined) {
      document.querySelectorAll('[data-live-field="club-total"]').forEach(function (together) {
        together.textContent = format(data.club_total);
      });
      showProgress(data.club_total);
    }
    place(data);
  }

  let timer = null;
  let lastRead = 0;
  function refreshSoon() {
    if (timer) return;
    timer = setTimeout(function () { timer = null; refresh(); }, Math.max(0, lastRead + REREAD_MS - Date.now()));
  }

  // Read the board and "You" again from the server, then replay what was heard meanwhile
  // (board.js skips what the new rows already show).
  function refresh() {
    if (reading) { refreshSoon(); return; }
    reading = [];
    lastRead = Date.now();
    const url = new URL(window.location.href);
    url.searchParams.set("fragment", "board");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        const fresh = new DOMParser().parseFromString(html, "text/html");
        const board = document.getElementById("board"), nextBoard = fresh.getElementById("board");
        if (board && nextBoard) board.replaceWith(nextBoard);
        // "You" comes and goes with joining and leaving (in another tab, say).
        const mine = document.getElementById("my-standing"), nextMine = fresh.getElementById("my-standing");
        if (mine && nextMine) mine.replaceWith(nextMine);
        else if (mine) mine.remove();
        else if (nextMine) document.querySelector("[data-mine-slot]").prepend(nextMine);
      })
      .catch(function () { /* best effort: the next event or reconnect reads it again */ })
      .finally(function () {
        const meanwhile = reading;
        reading = null;
        meanwhile.forEach(show);
      });
  }

  function watch() {
    live.socket.emit("challenge:watch", { challenge_id: challengeId }, function (answer) {
      root.dataset.watching = answer && answer.ok ? "true" : "false";
      // A change landed between reading this page and joining the room: read it again.
      const board = document.getElementById("board");
      if (answer && answer.ok && board && answer.version > Number(board.dataset.version)) refresh();
    });
  }

  live.on("challenge:standing", heard);
  live.on("challenge:gone", heard);
  live.onConnect(watch);
  live.onReconnect(refresh);
})();
