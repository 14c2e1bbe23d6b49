// Challenge page: watch the challenge's room and move the one row that changed.
// The server sends only the entrant whose total changed; the board re-sorts and re-ranks
// itself (competition ranks: 1, 2, 2, 4). After a reconnect it re-reads the board.
(function () {
  "use strict";
  const root = document.querySelector("[data-challenge-live]");
  if (!root || !window.Runhive || !window.Runhive.live) return;
  const live = window.Runhive.live;
  const challengeId = Number(root.dataset.challengeId);
  const kind = root.dataset.kind;
  const units = root.dataset.units;
  const me = Number(root.dataset.me);
  const PER_PAGE = 50;

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
    if (kind === "time" || kind === "fastest_effort") return duration(value);
    if (kind === "elevation") return units === "mi" ? Math.round(value * 3.28084) + " ft" : Math.round(value) + " m";
    const n = Math.round(value);
    if (kind === "streak") return n + (n === 1 ? " week" : " weeks");
    return n + (n === 1 ? " run" : " runs");
  }

  function watch() {
    live.socket.emit("challenge:watch", { challenge_id: challengeId }, function (answer) {
      root.dataset.watching = answer && answer.ok ? "true" : "false";
    });
  }

  function before(a, b) {
    const sa = Number(a.dataset.score), sb = Number(b.dataset.score);
    if (sa !== sb) return sb - sa;
    const ra = Number(a.dataset.reached), rb = Number(b.dataset.reached);
    if (ra !== rb) return ra - rb;
    return Number(a.dataset.entryId) - Number(b.dataset.entryId);
  }

  function rerank(body) {
    const board = document.getElementById("board");
    const offset = Number(board.dataset.offset || 0);
    const rows = Array.from(body.querySelectorAll("tr[data-entry-id]")).sort(before);
    rows.forEach(function (row, index) {
      body.appendChild(row);
      const previous = rows[index - 1];
      const cell = row.querySelector("[data-rank]");
      if (previous && previous.dataset.score === row.dataset.score) {
        cell.textContent = previous.querySelector("[data-rank]").textContent;
      } else if (index > 0 || offset === 0) {
        cell.textContent = String(offset + index + 1);
      }
      if (row.dataset.userId && Number(row.dataset.userId) === me) {
        const mine = document.querySelector("[data-my-rank]");
        if (mine) mine.textContent = cell.textContent;
      }
    });
    // The first page keeps its length: whoever dropped off is on the next page now.
    if (offset === 0) rows.slice(PER_PAGE).forEach(function (row) { row.remove(); });
    around(rows.slice(0, offset === 0 ? PER_PAGE : rows.length));
  }

  // "Around you", rebuilt from the board when the runner's own row is on this page.
  function around(rows) {
    const list = document.querySelector("[data-around]");
    const at = rows.findIndex(function (row) { return Number(row.dataset.userId) === me; });
    if (!list || at < 0) return;
    list.replaceChildren();
    rows.slice(Math.max(0, at - 2), at + 3).forEach(function (row) {
      const item = document.createElement("li");
      item.textContent = row.querySelector("[data-rank]").textContent + ". " +
        row.cells[1].querySelector("a").textContent + " · " + row.querySelector("[data-total]").textContent;
      if (row === rows[at]) item.setAttribute("aria-current", "true");
      list.appendChild(item);
    });
  }

  function newRow(data) {
    const row = document.createElement("tr");
    const rank = document.createElement("td");
    rank.className = "num";
    rank.dataset.rank = "";
    const who = document.createElement("td");
    const link = document.createElement("a");
    link.href = "/u/" + encodeURIComponent(data.username);
    link.textContent = data.display_name;
    who.appendChild(link);
    const total = document.createElement("td");
    total.className = "num";
    total.dataset.total = "";
    row.append(rank, who, total);
    row.dataset.entryId = String(data.entry_id);
    return row;
  }

  function apply(data) {
    if (data.challenge_id !== challengeId) return;
    if (data.user_id === me) {
      const mine = document.querySelector("[data-my-total]");
      if (mine) mine.textContent = format(data.total);
    }
    if (data.club_total !== undefined) {
      const together = document.querySelector('[data-live-field="club-total"]');
      if (together) together.textContent = format(data.club_total);
    }
    // A frozen board stays as it stood; only the runner's own total moves.
    if (document.querySelector("[data-board-frozen]")) return;
    const body = document.querySelector("[data-board-rows]");
    if (!body) { if (document.querySelector("[data-board-empty]")) refresh(); return; }
    let row = body.querySelector('tr[data-entry-id="' + data.entry_id + '"]');
    if (!row) {
      if (data.score === null) return;
      // Only the server knows who is in a filtered board (my clubs, people I follow).
      if (document.getElementById("board").dataset.scope !== "all") { refreshSoon(); return; }
      row = newRow(data);
      body.appendChild(row);
    }
    row.dataset.userId = String(data.user_id);
    row.dataset.score = String(data.score);
    row.dataset.reached = String(data.reached_at);
    row.querySelector("[data-total]").textContent = format(data.total);
    rerank(body);
  }

  // At most one re-read a second, however many entrants change meanwhile.
  let pending = null;
  function refreshSoon() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; refresh(); }, 1000);
  }

  // Re-read the board from the server (after a gap, or when it was empty).
  function refresh() {
    const url = new URL(window.location.href);
    url.searchParams.set("fragment", "board");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("board");
        const now = document.getElementById("board");
        if (fresh && now) now.replaceWith(fresh);
      });
  }

  function gone(data) {
    if (data.challenge_id !== challengeId) return;
    const body = document.querySelector("[data-board-rows]");
    const row = body && body.querySelector('tr[data-entry-id="' + data.entry_id + '"]');
    if (!row) return;
    row.remove();
    rerank(body);
  }

  live.on("challenge:standing", apply);
  live.on("challenge:gone", gone);
  live.onConnect(watch);
  live.onReconnect(refresh);
})();
