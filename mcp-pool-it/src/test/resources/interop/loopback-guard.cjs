'use strict';
// Preloaded into a Node server under test (NODE_OPTIONS=--require <this file>) to keep it on the
// loopback interface: server-everything's Streamable HTTP transport listens on all interfaces and
// has no host option. Every net.Server.listen on a bare port, or on a wildcard host (0.0.0.0, ::),
// binds 127.0.0.1 instead. Unix sockets, handles and explicit non-wildcard hosts are left alone.
// When a server starts listening, one line goes to stderr with the address it really bound:
//   loopback-guard: listening on 127.0.0.1:3001
const net = require('net');

const LOOPBACK = '127.0.0.1';
const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]', '::0', '0:0:0:0:0:0:0:0']);

function isPort(v) {
  return typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v));
}

function isOptions(v) {
  return v !== null && typeof v === 'object' && !(v instanceof net.Server) && !(v instanceof net.Socket)
    && v.path === undefined && v.fd === undefined && v._handle === undefined && v.handle === undefined;
}

const originalListen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (first === undefined || first === null || typeof first === 'function') {
    // listen() or listen(callback): an ephemeral port on all interfaces
    args.splice(0, first === undefined || first === null ? 1 : 0, 0, LOOPBACK);
  } else if (isPort(first)) {
    // listen(port[, host][, backlog][, callback])
    if (typeof args[1] === 'string') {
      if (WILDCARD.has(args[1].trim())) {
        args[1] = LOOPBACK;
      }
    } else {
      args.splice(1, 0, LOOPBACK);
    }
  } else if (isOptions(first)) {
    // listen({ port, host, ... }[, callback])
    if (first.host === undefined || first.host === null || WILDCARD.has(String(first.host).trim())) {
      args[0] = Object.assign({}, first, { host: LOOPBACK });
    }
  }
  this.once('listening', () => {
    const a = this.address();
    if (a && typeof a === 'object') {
      process.stderr.write(`loopback-guard: listening on ${a.address}:${a.port}\n`);
    }
  });
  return originalListen.apply(this, args);
};
