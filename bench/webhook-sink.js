// webhook-sink.js: the receiver of bench/webhooks.sh (HTTPS, 127.0.0.1).
// Answers every POST 200 at once, without verifying (the integration
// suite's webhook-receiver.js does that), and appends one line per
// delivery to LOG:  RECEIVED_MS OCCURRED_MS WEBHOOK_ID PATH
// RECEIVED_MS is this process's clock when the body was complete,
// OCCURRED_MS the event's occurredOn: the event is written in its change's
// transaction a moment before that commits, so the difference is the
// commit-to-delivery time plus that moment.  The 200 goes out right after.
//
//   node webhook-sink.js PORT CERT KEY LOG
'use strict';
const fs = require('fs');
const path = require('path');
const serve = require(path.join(__dirname, '..', 'tests', 'integration', 'webhook-serve.js'));

const [port, cert, key, log] = process.argv.slice(2);
const out = fs.createWriteStream(log, { flags: 'a' });

serve(port, cert, key, (req, body, res) => {
  const at = Date.now();
  if (req.method === 'POST') {
    let occurred = -1;
    try { occurred = Date.parse(JSON.parse(body).occurredOn); } catch (e) { /* counted as -1 */ }
    out.write(`${at} ${occurred} ${req.headers['webhook-id']} ${req.url.slice(1)}\n`);
  }
  res.writeHead(200).end('ok');
});
