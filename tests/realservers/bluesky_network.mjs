// Start a Bluesky PDS (and, with --appview, the dev network's AppView) for the tests.
//
// Run with the Node 22 that scripts/test installs, from anywhere:
//   node bluesky_network.mjs ATPROTO_DIR [--appview]
// ATPROTO_DIR is where scripts/test installed @atproto/dev-env. Every service listens on
// a spare port of localhost and keeps its data under TMPDIR (the test's throwaway
// folder). The AppView needs PostgreSQL: DB_POSTGRES_URL names a database it may fill.
// When all is up, one line of JSON says where: {"pds": URL, "appview": URL or null,
// "plc": URL}. SIGTERM or SIGINT closes everything and ends the process.
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const [installDir, ...flags] = process.argv.slice(2)
if (!installDir) {
  console.error('usage: node bluesky_network.mjs ATPROTO_DIR [--appview]')
  process.exit(2)
}
const withAppView = flags.includes('--appview')
const entry = path.join(installDir, 'node_modules/@atproto/dev-env/dist/index.js')
const devEnv = await import(pathToFileURL(entry).href)

// The AppView no longer uses Redis, but the dev network still asks for its address.
process.env.REDIS_HOST ??= 'localhost:1'

const network = withAppView
  ? await devEnv.TestNetwork.create({ dbPostgresSchema: 'houseboat' })
  : await devEnv.TestNetworkNoAppView.create({})

let closing = false
async function close() {
  if (closing) return
  closing = true
  try {
    await network.close()
  } finally {
    process.exit(0)
  }
}
process.on('SIGTERM', close)
process.on('SIGINT', close)

console.log(
  JSON.stringify({
    pds: network.pds.url,
    appview: withAppView ? network.bsky.url : null,
    plc: network.plc.url,
  }),
)
