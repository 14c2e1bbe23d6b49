// Replays challenge events on board pages with static/js/board.js, the way the live page
// (static/js/challenge.js `place`) does: events in order, stopping at the first that needs
// the board read again. Reads [{state, events, me}] as JSON on stdin and prints, for each,
// {"refresh": true} or the page it ends on: {"refresh": false, rows, hasNext, mine}.
"use strict";
const board = require("../../static/js/board.js");

function replay(state, events, me) {
  let now = state;
  for (const data of events) {
    const result = board.apply(now, board.change(data), me);
    if (result.refresh) return { refresh: true };
    // challenge.js: an empty board has no table to draw into, and "You" without the rows
    // around the runner no list: both are read again.
    if (result.rows !== now.rows && !now.table) return { refresh: true };
    if (result.mine !== now.mine && !now.mine.around.length) return { refresh: true };
    now = Object.assign({}, now, { rows: result.rows, hasNext: result.hasNext, mine: result.mine });
  }
  return {
    refresh: false,
    rows: now.rows.map((row) => [row.id, row.rank]),
    hasNext: now.hasNext,
    mine: now.mine && { rank: now.mine.rank, around: now.mine.around.map((row) => [row.id, row.rank]) },
  };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  process.stdout.write(JSON.stringify(cases.map((c) => replay(c.state, c.events, c.me))));
});
