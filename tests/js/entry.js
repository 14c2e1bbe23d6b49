// What `npm run build` bundles into vendor/socket.io-client.cjs: the official client, as is.
module.exports = require("socket.io-client");
