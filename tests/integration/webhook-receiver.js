// webhook-receiver.js: the integration suite's webhook receiver (HTTPS).
// Every delivery is verified with the Standard Webhooks reference library
// (npm standardwebhooks, installed by scripts/deps into WH_NODE_MODULES),
// not with our own code, and recorded as one JSON line.
//
//   node webhook-receiver.js PORT CERT KEY LOG
//
// Endpoints are paths; the test configures each before use:
//   POST /_control/NAME {"secrets": ["whsec_..."], "statuses": [500, 200],
//                        "delayMs": 0, "location": "https://..."}
// statuses are answered in turn, the last one repeats; 3xx answers carry
// Location; they are kept in LOG.endpoints across restarts.  Each delivery to /NAME appends to LOG:
//   {"path","id","timestamp","signatures","body","verified":[bool per secret],"status","at"}
'use strict';
const fs = require('fs');
const path = require('path');
const { Webhook } = require(path.join(process.env.WH_NODE_MODULES, 'standardwebhooks'));
const serve = require('./webhook-serve.js');

const [port, cert, key, log] = process.argv.slice(2);
// Endpoints survive a restart (the fault tests stop the receiver): LOG.endpoints.
const saved = `${log}.endpoints`;
const endpoints = new Map(fs.existsSync(saved) ? JSON.parse(fs.readFileSync(saved, 'utf8')) : []);

function verifyWith(secret, body, headers) {
  try {
    new Webhook(secret).verify(body, {
      'webhook-id': headers['webhook-id'],
      'webhook-timestamp': headers['webhook-timestamp'],
      'webhook-signature': headers['webhook-signature'],
    });
    return true;
  } catch (e) {
    return false;
  }
}

function control(name, body, res) {
  const c = JSON.parse(body);
  endpoints.set(name, { secrets: c.secrets || [], statuses: c.statuses || [200],
    delayMs: c.delayMs || 0, location: c.location || '', n: 0 });
  fs.writeFileSync(saved, JSON.stringify([...endpoints]));
  res.writeHead(204).end();
}

function deliver(name, req, body, res) {
  const ep = endpoints.get(name) || { secrets: [], statuses: [404], delayMs: 0, n: 0 };
  const status = ep.statuses[Math.min(ep.n, ep.statuses.length - 1)];
  ep.n++;
  const rec = {
    path: name, id: req.headers['webhook-id'], timestamp: req.headers['webhook-timestamp'],
    signatures: req.headers['webhook-signature'], userAgent: req.headers['user-agent'],
    contentType: req.headers['content-type'], body,
    verified: ep.secrets.map((s) => verifyWith(s, body, req.headers)), status, at: Date.now(),
  };
  fs.appendFileSync(log, JSON.stringify(rec) + '\n');
  const headers = status >= 300 && status < 400 ? { Location: ep.location } : {};
  if (status === 429 || status === 503) headers['Retry-After'] = '1';
  setTimeout(() => res.writeHead(status, headers).end('ok'), ep.delayMs);
}

serve(port, cert, key, (req, body, res) => {
  const name = req.url.replace(/^\//, '');
  if (req.method === 'POST' && name.startsWith('_control/')) control(name.slice(9), body, res);
  else deliver(name, req, body, res);
});
