// Club page: watch the club's room and refresh the member list when it changes.
(function () {
  "use strict";
  const root = document.querySelector("[data-club-live]");
  if (!root || !window.Runhive || !window.Runhive.live) return;
  const live = window.Runhive.live;
  const clubId = Number(root.dataset.clubId);

  // data-watching tells (people's tools and tests) that the server has put us in the room.
  function watch() {
    live.socket.emit("club:watch", { club_id: clubId }, function (answer) {
      root.dataset.watching = answer && answer.ok ? "true" : "false";
    });
  }

  // The server renders the section (and decides who may see it); swap in its fresh copy.
  // A fragment URL renders no flash messages, so none meant for this page is used up.
  function refresh() {
    const current = document.getElementById("members");
    if (current && current.contains(document.activeElement) && document.activeElement.matches("input, select, textarea")) {
      // Someone is typing here: refresh once they leave the field.
      document.activeElement.addEventListener("blur", refresh, { once: true });
      return;
    }
    const url = new URL(window.location.href);
    url.searchParams.set("fragment", "members");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("members");
        const now = document.getElementById("members");
        if (fresh && now) now.replaceWith(fresh);
      });
  }

  live.on("club:members_changed", function (data) {
    if (data.club_id === clubId) refresh();
  });
  live.on("club:access_ended", function (data) {
    if (data.club_id === clubId) window.location.reload();
  });
  live.on("challenge:completed", function (data) {
    if (data.club_id === clubId) live.status("🎉 " + data.display_name + " completed " + data.title + "!");
  });
  live.onConnect(watch);
  live.onReconnect(refresh);
})();
