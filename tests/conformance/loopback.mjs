// loopback.mjs: preloaded into the Portkey gateway (node --import), so that
// a server listening on a bare port listens on 127.0.0.1 only. The gateway
// (build/start-server.js) calls serve({fetch, port}) without a host, which
// would listen on every interface.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') {
    const cb = args.find((a) => typeof a === 'function');
    args = cb ? [{ port: args[0], host: '127.0.0.1' }, cb] : [{ port: args[0], host: '127.0.0.1' }];
  } else if (args[0] && typeof args[0] === 'object' && args[0].path === undefined) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
