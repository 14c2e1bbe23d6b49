// Open feeds follow along live: new items appear on top, kudos counts and comments update.
// Events only say what changed; the page fetches the items from the server, which decides
// what this viewer may see. On every (re)connect it catches up from the newest id it shows,
// so nothing missed while offline is lost and nothing shown twice.
(function () {
  "use strict";
  const live = window.Runhive && window.Runhive.live;
  const roots = document.querySelectorAll("[data-feed-live]");
  if (!live || !roots.length) return;
  const MAX_SHOWN = 100;

  function follow(root) {
    const list = root.querySelector("[data-feed-items]");
    let newest = Number(root.dataset.feedNewest) || 0;
    let inFlight = false;
    // What the next fetch refreshes: "all" the items shown, or a Set of ids (null: nothing).
    let pending = null;

    function shownItems() {
      return Array.from(list.children).filter(function (li) { return li.dataset.itemId; });
    }
    function shownIds() {
      return shownItems().map(function (li) { return Number(li.dataset.itemId); });
    }
    function find(id) {
      return shownItems().find(function (li) { return Number(li.dataset.itemId) === id; });
    }

    function watch(ids) {
      const ask = {
        feed: root.dataset.feedKind,
        id: root.dataset.feedId ? Number(root.dataset.feedId) : null,
        items: ids.slice(0, MAX_SHOWN),
      };
      live.socket.emit("feed:watch", ask, function (answer) {
        root.dataset.watching = answer && answer.ok ? "true" : "false";
      });
    }

    // Someone using a form of the item (typing in it, or pressing one of its buttons) keeps
    // it as it is: that part is redrawn when they leave it.
    function inUse(element) {
      const active = document.activeElement;
      return element.contains(active) && active.matches("input, textarea, button, select");
    }
    function fields(element) {
      return Array.from(element.querySelectorAll("textarea, input:not([type]), input[type=text]"));
    }
    // Text typed and left there (the runner looked away, or pressed elsewhere) is a draft.
    function drafted(element) {
      return fields(element).some(function (field) { return field.value !== field.defaultValue; });
    }
    // An edit or report form opened stays open too.
    function busy(element) {
      return inUse(element) || drafted(element) || element.querySelector("details[open]") !== null;
    }
    // The drafts of `now` go into the same fields of `then`, its redrawn copy.
    function carryDrafts(now, then) {
      const fresh = fields(then);
      fields(now).forEach(function (field, n) {
        if (field.value === field.defaultValue) return;
        const same = fresh.find(function (other) {
          return other.name === field.name && other.form && field.form &&
            other.form.getAttribute("action") === field.form.getAttribute("action");
        }) || fresh[n];
        if (same) same.value = field.value;
      });
    }

    // The whole item is redrawn (a pin, an edit, new comments); while someone uses it, has
    // a draft in it or a form of it open, only the parts they are not using (those in use
    // on leaving them; drafts carried into the redrawn part).
    function update(current, fresh) {
      if (!busy(current)) {
        current.replaceWith(document.adoptNode(fresh));
        return;
      }
      ["[data-kudos-for]", "[data-comment-count]", "[data-comments-for]"].forEach(function (selector) {
        const now = current.querySelector(selector);
        const then = fresh.querySelector(selector);
        if (!now || !then) return;
        if (inUse(now)) {
          const id = Number(current.dataset.itemId);
          document.activeElement.addEventListener("blur", function () { sync(id); }, { once: true });
          return;
        }
        if (now.querySelector("details[open]") !== null) return;
        carryDrafts(now, then);
        now.replaceWith(then);
      });
    }

    function insert(fresh) {
      const id = Number(fresh.dataset.itemId);
      const older = shownItems().find(function (li) { return Number(li.dataset.itemId) < id; });
      list.insertBefore(fresh, older || null);
    }

    function apply(answer) {
      const doc = new DOMParser().parseFromString("<ol>" + answer.html + "</ol>", "text/html");
      const added = [];
      Array.from(doc.body.firstElementChild.children).forEach(function (fresh) {
        const id = Number(fresh.dataset.itemId);
        const current = find(id);
        if (current) {
          update(current, fresh);
        } else if (id > newest) {
          insert(document.adoptNode(fresh));
          added.push(id);
        }
      });
      answer.gone.forEach(function (id) {
        const current = find(id);
        if (current) current.remove();
      });
      if (added.length) {
        newest = Math.max.apply(null, [newest].concat(added));
        root.dataset.feedNewest = String(newest);
        const empty = root.querySelector("[data-feed-empty]");
        if (empty) empty.remove();
        watch(added);
      }
      if (answer.gap) live.status("There is more new activity than fits here: reload to see it all.");
    }

    // New items since the newest shown, and a fresh copy of item `id` (null: none; no
    // argument: every item shown). One fetch at a time; what is asked meanwhile goes next.
    function sync(id) {
      if (id === undefined || pending === "all") pending = "all";
      else {
        pending = pending || new Set();
        if (id !== null) pending.add(id);
      }
      if (!inFlight) send();
    }

    function send() {
      const ids = pending === "all" ? shownIds() : Array.from(pending);
      pending = null;
      inFlight = true;
      const url = new URL(root.dataset.feedLive, window.location.origin);
      url.searchParams.set("after", String(newest));
      url.searchParams.set("items", ids.slice(0, MAX_SHOWN).join(","));
      url.searchParams.set("next", root.dataset.feedBack || window.location.pathname);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { if (answer) apply(answer); })
        .catch(function () { /* best effort: the next event or reconnect catches up */ })
        .finally(function () {
          inFlight = false;
          if (pending) send();
        });
    }

    live.on("feed:item", function (data) { if (data.item_id > newest) sync(null); });
    live.on("feed:comments", function (data) { if (find(data.item_id)) sync(data.item_id); });
    live.on("feed:changed", function (data) { if (find(data.item_id)) sync(data.item_id); });
    // The count and names change at once; the faces come with the item's fresh copy.
    live.on("feed:kudos", function (data) {
      const item = find(data.item_id);
      const count = item && item.querySelector("[data-kudos-count]");
      if (!count) return;
      count.dataset.kudosCount = String(data.count);
      count.textContent = data.summary;
      sync(data.item_id);
    });
    live.onConnect(function () {
      watch(shownIds());
      sync();
    });
  }

  roots.forEach(follow);
})();
