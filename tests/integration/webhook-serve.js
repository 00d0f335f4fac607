// webhook-serve.js: what the webhook receivers share, the integration
// suite's (webhook-receiver.js) and the bench's (bench/webhook-sink.js):
// an HTTPS server on 127.0.0.1 that hands each request with its whole body
// to onRequest(req, body, res), and that exits when the process that
// started it (WH_PARENT) is gone, as no hook of the runners stops it and it
// must not outlive a run.
'use strict';
const fs = require('fs');
const https = require('https');

module.exports = function serve(port, cert, key, onRequest) {
  const parent = Number(process.env.WH_PARENT || 0);
  if (parent) {
    setInterval(() => {
      try { process.kill(parent, 0); } catch (e) { process.exit(0); }
    }, 500).unref();
  }
  https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => onRequest(req, body, res));
  }).listen(Number(port), '127.0.0.1');
};
