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

  // The server renders the section (and decides who may see it); swap in its fresh copy.
  // A fragment URL renders no flash messages, so none meant for this page is used up.
  function refresh() {
    const current = document.getElementById("roster");
    if (current && current.contains(document.activeElement) && document.activeElement.matches("input, select, textarea")) {
      // Someone is typing here: refresh once they leave the field.
      document.activeElement.addEventListener("blur", refresh, { once: true });
      return;
    }
    const url = new URL(window.location.href);
    url.searchParams.set("fragment", "roster");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("roster");
        const now = document.getElementById("roster");
        if (fresh && now) now.replaceWith(fresh);
      });
  }

  live.on("run:roster_changed", function (data) {
    if (data.run_id === runId) refresh();
  });
  live.onConnect(watch);
  live.onReconnect(refresh);
})();
