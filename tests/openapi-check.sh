#!/bin/sh
# Checks docs/openapi.yaml and prints TAP.
#
# 1. it is valid OpenAPI 3.0 (@apidevtools/swagger-parser: schema and spec
#    rules, every $ref resolves);
# 2. every route of the contract is documented, with its method;
# 3. every response of every operation declares X-Request-ID (contract §6);
# 4. every example (media types, parameters, headers) matches its schema,
#    so the examples cannot drift from the rules they illustrate;
# 5. Spectral's spectral:oas ruleset finds no problem, of any severity
#    (@stoplight/spectral-cli: the lints API tools such as Dredd and code
#    generators trip over).
#
# The validator is installed from npm, pinned, into a cache directory under
# ${TMPDIR:-/tmp} the first time; later runs reuse it.  Without node the
# check is skipped.
set -u

SWAGGER_PARSER_VERSION=13.0.0
AJV_VERSION=8.20.0
SPECTRAL_VERSION=6.16.3

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${top_srcdir:-$here/..}
doc=$srcdir/docs/openapi.yaml
cache=${TMPDIR:-/tmp}/customers-fcgi-openapi-check/sp-$SWAGGER_PARSER_VERSION-ajv-$AJV_VERSION-spectral-$SPECTRAL_VERSION

skip() {
	echo "1..1"
	echo "ok 1 # SKIP $1"
	exit 0
}

bail() {
	echo "1..1"
	echo "not ok 1 - docs/openapi.yaml is valid OpenAPI 3.0"
	echo "# $1"
	exit 1
}

command -v node >/dev/null 2>&1 || skip "node missing"
[ -r "$doc" ] || bail "cannot read $doc"

# Install into a private directory, then publish it with a symlink (atomic,
# and it fails if another run got there first), so that two runs at once
# never see a half-installed cache.
if [ ! -x "$cache/node_modules/.bin/spectral" ]; then
	command -v npm >/dev/null 2>&1 || skip "npm missing"
	mkdir -p "$(dirname "$cache")" || bail "cannot create $(dirname "$cache")"
	tmp=$(mktemp -d "$cache.XXXXXX") || bail "mktemp failed"
	if ! npm install --prefix "$tmp" --no-audit --no-fund --no-save --loglevel=error \
		"@apidevtools/swagger-parser@$SWAGGER_PARSER_VERSION" "ajv@$AJV_VERSION" \
		"@stoplight/spectral-cli@$SPECTRAL_VERSION" \
		>"$tmp.log" 2>&1; then
		sed 's/^/# /' "$tmp.log"
		rm -rf "$tmp" "$tmp.log"
		bail "npm install of the validator failed"
	fi
	rm -f "$tmp.log"
	ln -sn "$(basename "$tmp")" "$cache" 2>/dev/null || rm -rf "$tmp"
fi

# Case 5, after the four of the node script below.
spectral_case() {
	rules=$(mktemp --suffix=.yaml) || return 1 # spectral goes by the extension
	echo 'extends: ["spectral:oas"]' >"$rules"
	if out=$("$cache/node_modules/.bin/spectral" lint --ruleset "$rules" --fail-severity hint \
		"$doc" 2>&1); then
		echo "ok 5 - spectral:oas finds no problem"
		rm -f "$rules"
		return 0
	fi
	echo "not ok 5 - spectral:oas finds no problem"
	printf '%s\n' "$out" | sed 's/^/# /'
	rm -f "$rules"
	return 1
}

NODE_PATH=$cache/node_modules node - "$doc" <<'EOF'
'use strict';
const SwaggerParser = require('@apidevtools/swagger-parser');
const Ajv = require('ajv');

// The contract's routes (contract.md §2-§9): method and path.
const ROUTES = [
  ['post', '/oauth2/token'],
  ['post', '/roles/customers'],
  ['get', '/roles/customers'],
  ['get', '/roles/customers/{customerId}'],
  ['patch', '/roles/customers/{customerId}'],
  ['get', '/healthz'],
  ['get', '/metrics'],
];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

let n = 0;
let failed = 0;
function report(problems, name) {
  n++;
  if (problems.length) failed++;
  console.log(`${problems.length ? 'not ok' : 'ok'} ${n} - ${name}`);
  for (const p of problems) for (const line of p.split('\n')) if (line.trim()) console.log(`# ${line}`);
}

function operations(api) {
  const out = [];
  for (const [path, item] of Object.entries(api.paths)) {
    for (const m of METHODS) if (item[m]) out.push([`${m.toUpperCase()} ${path}`, item[m]]);
  }
  return out;
}

function missingRoutes(api) {
  return ROUTES.filter(([m, p]) => !(api.paths[p] && api.paths[p][m]))
    .map(([m, p]) => `missing route ${m.toUpperCase()} ${p}`);
}

function missingRequestIds(api) {
  const problems = [];
  for (const [op, o] of operations(api)) {
    for (const [status, r] of Object.entries(o.responses)) {
      if (!(r.headers && r.headers['X-Request-ID'])) problems.push(`${op} ${status}: no X-Request-ID header`);
    }
  }
  return problems;
}

function newAjv() {
  // OpenAPI 3.0 schemas are a JSON Schema dialect: ignore its own keywords
  // (example, discriminator...), but honour nullable and the formats used.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uuid', UUID);
  ajv.addFormat('date-time', (s) => !Number.isNaN(Date.parse(s)));
  return ajv;
}

// Every object holding both a schema and an example (media types,
// parameters, headers) in the dereferenced document.
function exampleProblems(api) {
  const ajv = newAjv();
  const problems = [];
  const seen = new Set();
  const check = (where, schema, value) => {
    const validate = ajv.compile(schema);
    if (!validate(value)) problems.push(`${where}: ${ajv.errorsText(validate.errors)}`);
  };
  const walk = (node, where) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (node.schema && typeof node.schema === 'object') {
      if ('example' in node) check(where, node.schema, node.example);
      for (const [name, ex] of Object.entries(node.examples || {})) check(`${where} (${name})`, node.schema, ex.value);
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'schema') walk(v, `${where}/${k}`);
  };
  walk(api.paths, '#/paths');
  walk(api.components, '#/components');
  return problems;
}

async function main() {
  let api;
  try {
    api = await SwaggerParser.validate(process.argv[2]);
  } catch (e) {
    console.log('1..1');
    report([e.message], 'docs/openapi.yaml is valid OpenAPI 3.0');
    return;
  }
  console.log('1..5'); // the fifth, Spectral, is the shell's
  report(/^3\.0\.\d+$/.test(api.openapi) ? [] : [`openapi is ${api.openapi}`],
    'docs/openapi.yaml is valid OpenAPI 3.0');
  report(missingRoutes(api), 'every route of the contract is documented');
  report(missingRequestIds(api), 'every response declares X-Request-ID');
  report(exampleProblems(api), 'every example matches its schema');
}

main().then(() => process.exit(failed ? 1 : 0));
EOF
rc=$?
spectral_case || rc=1
exit "$rc"
