// The preload (NODE_OPTIONS=--require) that sends Node's fetch and http(s) through the proxy on Node older than 22.21.
//
// Node 22.21 and 24 read HTTP(S)_PROXY themselves when NODE_USE_ENV_PROXY=1; older ones ignore both. This file
// runs inside the sandbox, so it is plain CommonJS kept as text and written next to the forwarder.

export const PRELOAD_SOURCE = String.raw`'use strict';
// acp-sandbox: route fetch() and http(s) through the sandbox's proxy (Node < 22.21 ignores HTTPS_PROXY).
(function () {
  var v = process.versions.node.split('.').map(Number);
  if (v[0] >= 24 || (v[0] === 22 && v[1] >= 21)) return;
  var env = process.env;
  var proxy = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  if (!proxy) return;
  var net = require('net'), tls = require('tls'), http = require('http'), https = require('https');
  var p;
  try { p = new URL(proxy); } catch (e) { return; }
  var proxyHost = p.hostname, proxyPort = Number(p.port) || 80;
  var noProxy = (env.NO_PROXY || env.no_proxy || '').split(',').map(function (s) { return s.trim().toLowerCase(); }).filter(Boolean);
  function bare(host) { return String(host || '').toLowerCase().replace(/^\[|\]$/g, ''); }
  function bypass(host) {
    var h = bare(host);
    return noProxy.some(function (n) { n = n.replace(/:\d+$/, ''); return n === '*' || h === n || h.endsWith(n.charAt(0) === '.' ? n : '.' + n); });
  }
  function authority(host, port) { var h = bare(host); return (net.isIPv6(h) ? '[' + h + ']' : h) + ':' + port; }
  function tunnel(host, port, done) {
    var target = authority(host, port);
    var socket = net.connect(proxyPort, proxyHost);
    var head = Buffer.alloc(0);
    var finished = false;
    function fail(error) { if (finished) return; finished = true; socket.destroy(); done(error); }
    function onData(chunk) {
      head = Buffer.concat([head, chunk]);
      var end = head.indexOf('\r\n\r\n');
      if (end < 0) { if (head.length > 65536) fail(new Error('proxy answer too long')); return; }
      socket.removeListener('data', onData);
      socket.removeListener('error', fail);
      socket.pause();
      var text = head.subarray(0, end).toString('latin1');
      var status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!status || status[1] !== '200') {
        var why = /\r\nx-proxy-error: ([^\r\n]*)/i.exec(text);
        fail(new Error('acp-sandbox proxy refused ' + target + ': ' + (why ? why[1] : text.split('\r\n')[0])));
        return;
      }
      var rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      finished = true;
      done(null, socket);
    }
    socket.on('data', onData);
    socket.on('error', fail);
    socket.write('CONNECT ' + target + ' HTTP/1.1\r\nHost: ' + target + '\r\n\r\n');
  }
  function secure(socket, host, servername, alpn, done) {
    var h = bare(host);
    var options = { socket: socket, ALPNProtocols: alpn };
    var name = servername || (net.isIP(h) ? undefined : h);
    if (name) options.servername = name;
    var t = tls.connect(options);
    return t;
  }

  // http and https: agents whose connections are tunnels.
  function HttpAgent(options) { http.Agent.call(this, options); }
  Object.setPrototypeOf(HttpAgent.prototype, http.Agent.prototype);
  HttpAgent.prototype.createConnection = function (options, cb) {
    var host = options.host || options.hostname || 'localhost';
    if (bypass(host)) return net.createConnection(options);
    tunnel(host, options.port || 80, cb);
  };
  function HttpsAgent(options) { https.Agent.call(this, options); }
  Object.setPrototypeOf(HttpsAgent.prototype, https.Agent.prototype);
  HttpsAgent.prototype.createConnection = function (options, cb) {
    var host = options.host || options.hostname || 'localhost';
    if (bypass(host)) return tls.connect(options);
    tunnel(host, options.port || 443, function (error, socket) {
      if (error) return cb(error);
      var t = tls.connect(Object.assign({}, options, { socket: socket, servername: options.servername || (net.isIP(bare(host)) ? undefined : bare(host)) }));
      cb(null, t);
    });
  };
  http.globalAgent = new HttpAgent({ keepAlive: true });
  https.globalAgent = new HttpsAgent({ keepAlive: true });

  // fetch (undici): the global dispatcher becomes an Agent of undici's own class with a tunnelling connector.
  if (typeof globalThis.fetch !== 'function') return;
  var key = Symbol.for('undici.globalDispatcher.1');
  if (!globalThis[key]) { try { globalThis.fetch('data:,').catch(function () {}); } catch (e) { return; } }
  var current = globalThis[key];
  if (!current || typeof current.constructor !== 'function') return;
  var Agent = current.constructor;
  function connect(opts, cb) {
    var host = opts.hostname;
    var isHttps = opts.protocol === 'https:';
    var port = Number(opts.port) || (isHttps ? 443 : 80);
    function finish(error, socket) {
      if (error) return cb(error);
      if (!isHttps) return cb(null, socket);
      var t = secure(socket, host, opts.servername, ['http/1.1']);
      t.once('secureConnect', function () { t.removeListener('error', onError); cb(null, t); });
      function onError(e) { cb(e); }
      t.once('error', onError);
    }
    if (bypass(host)) {
      var direct = net.connect(port, bare(host));
      direct.once('connect', function () { direct.removeListener('error', onDirectError); finish(null, direct); });
      function onDirectError(e) { cb(e); }
      direct.once('error', onDirectError);
      return;
    }
    tunnel(host, port, finish);
  }
  try { globalThis[key] = new Agent({ connect: connect }); } catch (e) { /* leave fetch as it was */ }
})();
`;
