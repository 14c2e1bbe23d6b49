// A feed page's socket, with the official client: watch one item, print its first kudos.
//
//   node tests/js/watch_kudos.js URL COOKIE ITEM_ID [TIMEOUT_MS]
//
// Prints one JSON line per step: {"watching": <the feed:watch ack>} once the server has
// joined the socket to the item's room, then {"feed:kudos": <payload>}, and exits 0.
// Anything else ends it with {"error": ...} and a non-zero exit: 1 refused, 2 timed out.
"use strict";

const { io } = require("./vendor/socket.io-client.cjs");

const [url, cookie, itemArg, timeoutArg] = process.argv.slice(2);
const itemId = Number(itemArg);
const timeoutMs = Number(timeoutArg || 10000);
if (!url || !cookie || !Number.isInteger(itemId)) {
  console.error("usage: node watch_kudos.js URL COOKIE ITEM_ID [TIMEOUT_MS]");
  process.exit(64);
}

function say(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

let ended = false;
function end(code, line) {
  if (ended) return; // closing the socket below fires "disconnect" once more
  ended = true;
  if (line) say(line);
  socket.close();
  process.exit(code);
}

// However it goes, it ends in time: the test waits on this process, not on the server.
setTimeout(() => end(2, { error: `no feed:kudos within ${timeoutMs} ms` }), timeoutMs);

const socket = io(url, {
  // A browser page on the site: the session cookie and the site's own origin.
  transports: ["websocket"],
  extraHeaders: { Cookie: cookie, Origin: url },
  reconnection: false,
  timeout: 5000,
});

socket.on("connect_error", (error) => end(1, { error: `connect_error: ${error.message}` }));
socket.on("disconnect", (reason) => end(1, { error: `disconnected: ${reason}` }));
socket.on("feed:kudos", (payload) => end(0, { "feed:kudos": payload }));

socket.on("connect", async () => {
  try {
    const ack = await socket
      .timeout(5000)
      .emitWithAck("feed:watch", { feed: "home", id: null, items: [itemId] });
    say({ watching: ack });
    if (!ack.ok || !ack.items.includes(itemId)) end(1, { error: "the item was not joined" });
  } catch (error) {
    end(2, { error: `no feed:watch ack: ${error.message}` });
  }
});
