// Runhive live updates: one Socket.IO connection per page, shared by every live feature.
// Pages work without it; this only adds what arrives while the page is open.
(function () {
  "use strict";
  if (typeof io === "undefined" || document.body.dataset.live !== "on") return;

  const status = document.getElementById("live-status");
  const handlers = {};
  const socket = io({ withCredentials: true });

  function showStatus(text) {
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
  }

  // Later features register their events here: Runhive.live.on("kudos:added", fn).
  function on(event, handler) {
    (handlers[event] = handlers[event] || []).push(handler);
    socket.on(event, handler);
  }

  let connectedBefore = false;
  socket.on("connect", function () {
    document.body.dataset.liveConnected = "true";
    showStatus("");
    (handlers.__connect || []).forEach(function (fn) { fn(); });
    // After a gap the page may have missed events: let it catch up from the server.
    if (connectedBefore) (handlers.__reconnect || []).forEach(function (fn) { fn(); });
    connectedBefore = true;
  });

  // The server's message queue was away and is back: events may have been lost meanwhile.
  socket.on("live:resync", function () {
    (handlers.__reconnect || []).forEach(function (fn) { fn(); });
  });

  socket.on("disconnect", function (reason) {
    document.body.dataset.liveConnected = "false";
    if (reason !== "io client disconnect") showStatus("Live updates paused. Reconnecting…");
  });

  socket.on("connect_error", function () {
    document.body.dataset.liveConnected = "false";
  });

  on("account:updated", function (data) {
    document.querySelectorAll('[data-live-field="display_name"]').forEach(function (el) {
      el.textContent = data.display_name;
    });
  });

  on("session:ended", function () {
    socket.io.opts.reconnection = false;
    socket.disconnect();
    showStatus("You have been logged out. Reload the page to log in again.");
  });

  on("club:request_decided", function (data) {
    showStatus(data.approved
      ? "Your request to join " + data.name + " was approved. Welcome!"
      : "Your request to join " + data.name + " was declined.");
  });

  on("rsvp:promoted", function (data) {
    showStatus("A place opened up: you're now going to " + data.title + "!");
  });

  on("run:changed", function (data) {
    showStatus(data.cancelled ? data.title + " has been cancelled." : data.title + " has changed.");
  });

  // The badge and the link's accessible name, which screen readers announce instead.
  function setUnread(count) {
    document.querySelectorAll('[data-live-field="unread"]').forEach(function (el) {
      el.textContent = String(count);
      el.toggleAttribute("data-zero", !count);
    });
    // The bell's name is what a screen reader says: it must follow the count.
    document.querySelectorAll("[data-live-unread-label]").forEach(function (el) {
      el.setAttribute("aria-label", "Notifications, " + count + " unread");
    });
  }
  on("notification:new", function (data) { setUnread(data.unread); });
  on("notification:read", function (data) { setUnread(data.unread); });

  window.Runhive = window.Runhive || {};
  window.Runhive.live = {
    on: on,
    // fn runs on every connection, now too if already connected (join rooms here).
    onConnect: function (fn) {
      (handlers.__connect = handlers.__connect || []).push(fn);
      if (socket.connected) fn();
    },
    onReconnect: function (fn) { (handlers.__reconnect = handlers.__reconnect || []).push(fn); },
    status: showStatus,
    socket: socket,
  };
})();
