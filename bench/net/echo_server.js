// bench/net: the Node peer of echo_server.cpp (net module, same behaviour).
'use strict';
const net = require('net');
const server = net.createServer((s) => {
  s.on('data', (chunk) => s.write(chunk));
  s.on('error', () => {});
});
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(server.address().port);
});
