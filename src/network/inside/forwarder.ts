// The bwrap forwarder: inside each sandboxed process's own network namespace, loopback ports relayed to unix sockets.
//
// Usage inside: node forward.cjs PORT=SOCKET [PORT=SOCKET...] -- COMMAND ARGS...
// It listens on 127.0.0.1:PORT for each pair, then runs the command with the same stdio, passes signals on,
// and exits as the command did. It is the process bwrap starts, so it dies with the sandbox and the sandbox with it.

export const FORWARDER_SOURCE = String.raw`'use strict';
var net = require('net'), spawn = require('child_process').spawn;
var argv = process.argv.slice(2);
var split = argv.indexOf('--');
var pairs = argv.slice(0, split), command = argv.slice(split + 1);
function relay(path) {
  return function (client) {
    var upstream = net.connect(path);
    client.setNoDelay(true);
    client.pipe(upstream); upstream.pipe(client);
    client.on('error', function () { upstream.destroy(); });
    upstream.on('error', function () { client.destroy(); });
    client.on('close', function () { upstream.destroy(); });
    upstream.on('close', function () { client.destroy(); });
  };
}
var pending = pairs.length;
pairs.forEach(function (pair) {
  var i = pair.indexOf('=');
  var server = net.createServer(relay(pair.slice(i + 1)));
  server.on('error', function (e) { process.stderr.write('acp-sandbox forwarder: cannot listen on 127.0.0.1:' + pair.slice(0, i) + ': ' + e.message + '\n'); process.exit(125); });
  server.listen(Number(pair.slice(0, i)), '127.0.0.1', function () { server.unref(); if (--pending === 0) run(); });
});
if (pending === 0) run();
function run() {
  var child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  child.on('error', function (e) {
    process.stderr.write('acp-sandbox: cannot run ' + command[0] + ': ' + (e.code === 'ENOENT' ? 'not found' : e.message) + '\n');
    process.exit(e.code === 'ENOENT' ? 127 : 126);
  });
  ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGINT', 'SIGQUIT'].forEach(function (signal) {
    process.on(signal, function () {
      // A terminal's Ctrl-C reaches the whole foreground group, the command included: pass on only the others.
      if ((signal === 'SIGINT' || signal === 'SIGQUIT') && process.stdin.isTTY) return;
      try { child.kill(signal); } catch (e) {}
    });
  });
  child.on('exit', function (code, signal) {
    if (signal) {
      process.removeAllListeners(signal);
      try { process.kill(process.pid, signal); } catch (e) {}
      setTimeout(function () { process.exit(128); }, 100);
      return;
    }
    process.exit(code === null ? 1 : code);
  });
}
`;
