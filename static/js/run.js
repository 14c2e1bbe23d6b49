// Group run page: watch the run's room and refresh who's going when RSVPs change.
(function () {
  "use strict";
  const root = document.querySelector("[data-run-live]");
  if (!root || !window.Runhive || !window.Runhive.live) return;
  const live = window.Runhive.live;
  const runId = Number(root.dataset.runId);

  function watch() {
    live.socket.emit("run:watch", { run_id: runId }, function (answer) {
      root.dataset.watching = answer && answer.ok ? "true" : "false";
    });
  }

  // The server renders the roster (and the viewer's own status); swap in its fresh copy.
  function refreshRoster() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("roster");
        const current = document.getElementById("roster");
        if (fresh && current) current.replaceWith(fresh);
      });
  }

  live.on("run:roster_changed", function (data) {
    if (data.run_id === runId) refreshRoster();
  });
  live.onReconnect(function () { watch(); refreshRoster(); });
  if (live.socket.connected) watch();
})();
