'use strict';
// Walks a list from page 1 to page PAGE (limit 20, no filter) and prints the
// cursor that fetches page PAGE, so bench/run can then hammer that page.
// One keep-alive connection, one request after the other, as a client would.
//   node walk.js BASE_URL TOKEN PAGE      (prints the cursor; the count on stderr)

const [base, token, pageArg] = process.argv.slice(2);
const page = Number(pageArg);

// One page; a 5xx is retried twice (and reported), anything else but 200 ends the walk.
async function getPage(url, headers, p) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { headers });
    const body = await res.json();
    if (res.status === 200) return body;
    const why = `page ${p}: ${res.status} ${JSON.stringify(body)}`;
    if (res.status < 500 || attempt === 3) throw new Error(why);
    console.error(`${why}; retrying`);
  }
}

async function walk() {
  if (!base || !token || !(page >= 2)) throw new Error('usage: node walk.js BASE_URL TOKEN PAGE (>= 2)');
  const headers = { Authorization: `Bearer ${token}` };
  let cursor = null;
  for (let p = 1; p < page; p++) {
    const q = cursor ? `?limit=20&cursor=${encodeURIComponent(cursor)}` : '?limit=20';
    const body = await getPage(`${base}/roles/customers${q}`, headers, p);
    cursor = body.pagination && body.pagination.cursor;
    if (!cursor) throw new Error(`page ${p} is the last one: no page ${page}`);
  }
  console.error(`walked ${page - 1} pages of ${base}`);
  console.log(cursor);
}

walk().catch((err) => {
  console.error(`walk: ${err.message}`);
  process.exitCode = 1;
});
