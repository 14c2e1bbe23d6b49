// A challenge board's rule, shared by the live challenge page and its tests (run by node):
// the order and ranks of challenges/queries.py, worked out from the rows a page holds, and
// when those rows are not enough to know them (then the page reads the board again).
//
// Order: higher score first, then whoever reached it first, then entry id. Ranks are
// competition ranks: 1 + how many rows on the board have a higher score (1, 2, 2, 4).
// A key is {id, score, reached}; a row is a key with `user` and `rank`.
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory();
  else (root.Runhive = root.Runhive || {}).board = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  const NEIGHBOURS = 2; // queries.NEIGHBOURS

  // Whether key a comes before key b on the board. Scores are compared as numbers: the
  // page writes 10000.0 where an event says 10000, and they tie.
  function ahead(a, b) {
    if (a.score !== b.score) return a.score > b.score;
    if (a.reached !== b.reached) return a.reached < b.reached;
    return a.id < b.id;
  }

  function byBoard(a, b) {
    return ahead(a, b) ? -1 : ahead(b, a) ? 1 : 0;
  }

  // Ranks for rows in board order that start at the top of the board: a row level with the
  // one before shares its rank, any other row's rank is its position.
  function ranked(rows) {
    const out = [];
    rows.forEach(function (row, index) {
      const previous = out[index - 1];
      const rank = previous && previous.score === row.score ? previous.rank : index + 1;
      out.push(Object.assign({}, row, { rank: rank }));
    });
    return out;
  }

  // Where a key falls against consecutive board rows (a page, or the rows around the
  // runner): "absent" (off the board), "above" or "below" them where the board goes on
  // past them that way (whoever lands there stays out of them), else "inside".
  function side(key, rows, goesOnAbove, goesOnBelow) {
    if (!key) return "absent";
    if (!rows.length) return "inside";
    if (ahead(key, rows[0])) return goesOnAbove ? "above" : "inside";
    if (ahead(rows[rows.length - 1], key)) return goesOnBelow ? "below" : "inside";
    return "inside";
  }

  // Whether an entrant moving from `was` to `key` leaves each of these rows in its place
  // with its rank: it stays out of them, below them (or off the board) both times, or
  // above them both times and either ahead of their top score both times or level with
  // it both times (a rank counts the higher scores only).
  function unmoved(change, rows, goesOnAbove, goesOnBelow) {
    if (rows.some(function (row) { return row.id === change.id; })) return false;
    const from = side(change.was, rows, goesOnAbove, goesOnBelow);
    const to = side(change.key, rows, goesOnAbove, goesOnBelow);
    const off = function (where) { return where === "absent" || where === "below"; };
    if (off(from) && off(to)) return true;
    return from === "above" && to === "above" &&
      (change.was.score > rows[0].score) === (change.key.score > rows[0].score);
  }

  // A page after one change: {rows, hasNext, refresh}. `refresh`: the rows alone do not
  // tell, ask the server (the rows returned are then the old ones, or exact but for the
  // pager of a first page that just grew a second).
  function page(state, change) {
    const same = { rows: state.rows, hasNext: state.hasNext, refresh: false };
    const ask = { rows: state.rows, hasNext: state.hasNext, refresh: true };
    const at = state.rows.findIndex(function (row) { return row.id === change.id; });
    const last = state.rows[state.rows.length - 1];
    // Leaving the board from below this page may empty the next one, whose link then goes.
    if (state.hasNext && change.was && !change.key && last && ahead(last, change.was)) return ask;
    // A lower page shifts with any move past its top, which a page cannot see; a filtered
    // board (my clubs, people I follow) takes in only whom the server knows belongs. Both
    // are read again unless the change passes them by.
    if (state.offset > 0 || (at < 0 && state.scope !== "all")) {
      return unmoved(change, state.rows, state.offset > 0, state.hasNext) ? same : ask;
    }
    const rows = state.rows.filter(function (row) { return row.id !== change.id; });
    if (!change.key) {
      if (at < 0) return same; // it was below this page, or on no board
      // Off the page: the next page's first row moves up, and only the server knows it.
      return state.hasNext ? ask : { rows: ranked(rows), hasNext: false, refresh: false };
    }
    if (state.hasNext && last && ahead(last, change.key)) {
      // Below this page's last row: a lower page's business, unless it left this page,
      // whose last place the next page's first row takes.
      return at < 0 ? same : ask;
    }
    rows.push({ id: change.id, user: change.user, score: change.key.score, reached: change.key.reached });
    rows.sort(byBoard);
    if (rows.length > state.perPage) {
      // The last row moves to the next page, which now exists: the pager comes with a re-read.
      return { rows: ranked(rows.slice(0, state.perPage)), hasNext: true, refresh: !state.hasNext };
    }
    return { rows: ranked(rows), hasNext: state.hasNext, refresh: false };
  }

  // The runner's own standing after the page moved: {mine, refresh}. Read off a first page
  // that holds the runner's row and the rows around it; else kept, unless the change
  // touches the runner or the rows around them.
  function mine(state, change, after, me) {
    const own = state.mine;
    // Not in it when the page was read: they joined since (in another tab), or not.
    if (!own) return { mine: null, refresh: change.user === me };
    if (state.offset === 0 && !own.hidden) {
      const at = after.rows.findIndex(function (row) { return row.user === me; });
      if (at >= 0 && (at + NEIGHBOURS < after.rows.length || !after.hasNext)) {
        const around = after.rows.slice(Math.max(0, at - NEIGHBOURS), at + NEIGHBOURS + 1);
        return { mine: Object.assign({}, own, { rank: after.rows[at].rank, around: around }), refresh: false };
      }
    }
    const kept = { mine: own, refresh: false };
    const ask = { mine: own, refresh: true };
    if (change.user === me) return ask;
    if (!own.around.length) return kept; // no rank yet: nothing counted
    const at = own.around.findIndex(function (row) { return row.id === own.id; });
    if (at < 0) return ask;
    const quiet = unmoved(change, own.around, at >= NEIGHBOURS, own.around.length - 1 - at >= NEIGHBOURS);
    return quiet ? kept : ask;
  }

  // What a page shows after an event: {rows, hasNext, mine, refresh}.
  // state: {rows, offset, perPage, hasNext, scope, version,
  //         mine: null | {id, hidden, rank, around}}
  function apply(state, change, me) {
    if (change.version <= state.version) {
      // The page was read after this change: it shows it already.
      return { rows: state.rows, hasNext: state.hasNext, mine: state.mine, refresh: false };
    }
    const after = page(state, change);
    if (after.refresh) return Object.assign(after, { mine: state.mine });
    const own = mine(state, change, after, me);
    return { rows: after.rows, hasNext: after.hasNext, mine: own.mine, refresh: own.refresh };
  }

  // A `challenge:standing` or `challenge:gone` event, as a change: its key is null when the
  // entrant is off the public board now (gone, hidden, nothing counted).
  function change(data) {
    const key = function (score, reached) { return { id: data.entry_id, score: score, reached: reached }; };
    const on = data.score !== undefined && data.score !== null && !data.hidden;
    return {
      id: data.entry_id,
      user: data.user_id,
      version: data.version,
      key: on ? key(data.score, data.reached_at) : null,
      was: data.was ? key(data.was.score, data.was.reached_at) : null,
    };
  }

  return { ahead: ahead, ranked: ranked, apply: apply, change: change };
});
