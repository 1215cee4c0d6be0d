import { Command } from 'commander'
import { atLeast, oneOf, portNumber } from './option-parsers.ts'
import type { ClientOptions } from './client-args.ts'
import { LOG_LEVELS } from './log-levels.ts'
import { version } from './version.ts'

/** Sets the exit code of the action that ran; each action's module is loaded only when it runs. */
export type Exit = (code: number) => void

const example = (...lines: string[]): string => `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map(l => `  $ ${l}`).join('\n')}\n`

/** --data-dir, --config and --json: how every client command finds a running node and prints its answer. */
function clientCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('-d, --data-dir <dir>', 'the data directory of a running node (it holds control.json)')
    .option('-c, --config <file>', 'a node config: its dataDir is the node to ask')
    .option('--json', 'print what the node answers, as JSON', false)
}

/** The plan flags, shared by `journey plan` and `journey book`. */
function planFlags(c: Command): Command {
  return c
    .option('--from <lat,lon>', 'where the journey starts, in decimal degrees')
    .option('--to <lat,lon>', 'where it ends')
    .option('--depart <time>', 'leave after: an ISO date-time or +<minutes> from now (default: now)')
    .option('--arrive <time>', 'arrive by: an ISO date-time or +<minutes> from now')
    .option('--modes <list>', 'only these modes, comma-separated (BUS,BICYCLE,…)')
    .option('--avoid <list>', 'never these modes, comma-separated')
    .option('--max-walk <metres>', 'the longest walk, 0–20000 m')
    .option('--max-transfers <n>', 'at most this many transfers, 0–8')
    .option('--travellers <n>', 'how many travel together, 1–50 (default 1)')
    .option('--accessibility <list>', 'needs, comma-separated (WHEELCHAIR, STEP_FREE, …)')
}

/** The commands that run a node or read its data directory: node-command.ts takes its own argv. */
function configArgs(o: { config?: string; json?: boolean }, positionals: readonly string[] = []): string[] {
  return [...positionals, ...(o.config != null ? ['--config', o.config] : []), ...(o.json === true ? ['--json'] : [])]
}

/**
 * Every command and subcommand of `kvartal`, with its options, a description and an example: what
 * `--help` prints is this tree. Options are parsed and typed here (option-parsers.ts); a bad one is a
 * ConfigError naming the flag. Positional arguments are checked by the commands, which name them.
 */
export function buildProgram(exit: Exit): Command {
  // a command with positional arguments counts and names them itself (e.g. "trade-id: give the
  // 64-hex-digit trade id"), so it takes excess ones; any other refuses them
  const program = new Command('kvartal')
    .description('edge mesh runtime for local energy and mobility markets')
    .version(version, '-V, --version', 'print the version of kvartal')
    .showSuggestionAfterError(true)
    // main() maps commander's errors to ConfigErrors and exit codes, and prints them as every error is printed
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .addHelpText(
      'after',
      '\nThe commands that talk to a running node take --data-dir (or --config node.yaml) and find it by <dataDir>/control.json.\n' +
        example('kvartal sim', 'kvartal node --config examples/node-seller.yaml', 'kvartal journey plan --help')
    )

  program
    .command('sim')
    .description('simulate a district on one machine (no scenario file: the embedded Trondheim default)')
    .argument('[scenario]', 'a scenario file (YAML)')
    .allowExcessArguments(true)
    .option('--transport <kind>', "memory or tcp (default: the scenario's)", oneOf('--transport', ['memory', 'tcp'] as const))
    .option('--out <dir>', 'where results.json and trace.ndjson go (default: out/<district>-<date>)')
    .option('--slots <n>', "simulate this many slots instead of the scenario's", atLeast('--slots', 1, 'slots'))
    .option(
      '--workers <n>',
      'spread the district over n processes (whole feeders each; tcp transport); default: one per core, at most one per feeder',
      atLeast('--workers', 1, 'processes')
    )
    .option('--quiet', 'no progress bar', false)
    .option('--no-report', 'do not write report.html')
    .option(
      '--dashboard',
      'serve a live dashboard on 127.0.0.1 while the district runs (its URL on stderr); it stays up after the run until Ctrl-C',
      false
    )
    .option('--port <n>', "the dashboard's port (default: a free one)", portNumber('--port'))
    .option('--paused', "with --dashboard: the clock waits for the page's Resume or Step before the first tick", false)
    .addHelpText(
      'after',
      example(
        'kvartal sim',
        'kvartal sim scenario.yaml --slots 8 --out out/noon --quiet',
        'kvartal sim --workers 2',
        'kvartal sim --dashboard --port 8080'
      )
    )
    .action(async (_s: string | undefined, o: Record<string, unknown>, c: Command) => {
      exit(await (await import('./sim-command.ts')).simCommand(c.args, o))
    })

  program
    .command('sweep')
    .description(
      'run a scenario over a grid of parameters and seeds, a process per run on ' +
        'every core: one row per run (CSV and Arrow) and a report with 95 % intervals'
    )
    .argument('[file]', 'a scenario file, or a sweep file (YAML with params:, and scenario:, seeds:); none: the default scenario')
    .allowExcessArguments(true)
    .option(
      '--param <path=values>',
      'a scenario field by its dotted path (or strategy, ticksPerSlot, buildings, slots, cloudiness) ' +
        'and its comma-separated values, each read as YAML; repeat for more fields: every combination runs',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v]
    )
    .option('--seeds <seeds>', 'the seeds of every combination: 5 (seeds 1…5, the default), 10..14, or 1,7,42')
    .option('--jobs <n>', 'runs at once, each in its own process (default: one per core)', atLeast('--jobs', 1, 'processes'))
    .option(
      '--out <dir>',
      'where runs.csv, runs.arrow, runs.ndjson and report.html go (default: ' +
        'out/sweep-<district>-<date>); a sweep run again into it skips the runs done'
    )
    .option('--timeout <seconds>', 'a run that takes longer is stopped and recorded as failed', atLeast('--timeout', 1, 'seconds'))
    .option('--keep-runs', "also keep each run's results.json and trace.ndjson, in <out>/runs/<run>/", false)
    .option('--dry-run', 'list the runs, and which are done in --out, without running any', false)
    .option('--quiet', 'no line per run on stderr', false)
    .option('--no-report', 'do not write report.html')
    .addHelpText(
      'after',
      '\nA value is read as YAML: 24 is a number, zi-c a word, false false, [0.5,1] a list (commas inside [ ] or { } do not split).\n' +
        'Each run is the scenario with those fields set and its own seed, deterministic from it. A failed run is a row with its error.\n' +
        'A sweep file (YAML; --param and --seeds on the command line override it) holds the same:\n' +
        '  scenario: district.yaml     # a scenario file beside it, or a scenario inline; none: the default\n' +
        '  params:\n    strategy: [zi-c, zip]\n    buildings.generate.count: [24, 48]\n  seeds: 5\n' +
        'Out of <out>: runs.csv and runs.arrow (pandas read_feather, R arrow::read_feather), ' +
        'report.html, runs.ndjson (what resuming reads). docs/sweep.md says more.\n' +
        example(
          'kvartal sweep --param strategy=zi-c,zip --param buildings.generate.count=24,48 --seeds 5',
          'kvartal sweep scenario.yaml --param market.ticksPerSlot=2,4,8 --param slots.count=8 --seeds 1..10 --jobs 2 --out out/ticks',
          'kvartal sweep sweep.yaml --dry-run'
        )
    )
    .action(async (_f: string | undefined, o: Record<string, unknown>, c: Command) => {
      exit(await (await import('./sweep-command.ts')).sweepCommand(c.args, o))
    })

  program
    .command('report')
    .description("make a simulation's report.html again from the results.json and trace.ndjson in its directory")
    .argument('[dir]', 'the directory `kvartal sim` wrote (out/<district>-<date>)')
    .allowExcessArguments(true)
    .addHelpText('after', example('kvartal report out/trondheim-2026-06-17'))
    .action(async (_d: string | undefined, _o: unknown, c: Command) => {
      exit(await (await import('./report-command.ts')).reportCommand(c.args))
    })

  program
    .command('replay')
    .description(
      "recompute a simulation's figures from its trace.ndjson alone, follow one trade across both peers, or play the run into the dashboard"
    )
    .argument('[trace]', 'the trace.ndjson `kvartal sim` wrote')
    .allowExcessArguments(true)
    .option('--follow <id>', "print one trade's events across both peers in causal order (a negotiation id, a trade id or a package id)")
    .option('--dashboard', 'play the events into the live dashboard on 127.0.0.1 (its URL on stderr); it stays up until Ctrl-C', false)
    .option('--speed <x>', 'with --dashboard: simulated seconds per second (900: a 15-minute slot a second), or max (default)')
    .option('--port <n>', "the dashboard's port (default: a free one)", portNumber('--port'))
    .option('--paused', "with --dashboard: wait for the page's Resume or Step before the first tick", false)
    .addHelpText(
      'after',
      example(
        'kvartal replay out/trondheim-2026-06-17/trace.ndjson',
        'kvartal replay out/trondheim-2026-06-17/trace.ndjson --follow 3f…e1',
        'kvartal replay out/trondheim-2026-06-17/trace.ndjson --dashboard --speed 900'
      )
    )
    .action(async (_t: string | undefined, o: Record<string, unknown>, c: Command) => {
      exit(await (await import('./replay-command.ts')).replayCommand(c.args, o))
    })

  program
    .command('node')
    .description('run one node: TCP, mDNS and bootstrap discovery, a persistent data directory, a control API')
    .option('-c, --config <file>', 'the node config (YAML)')
    .option(
      '--log-level <level>',
      "log at this level and above, overriding the config's log: fatal, error, warn, info, debug, trace or silent",
      oneOf('--log-level', LOG_LEVELS)
    )
    .addHelpText('after', example('kvartal node --config examples/node-seller.yaml', 'kvartal node --config node.yaml --log-level debug'))
    .action(async (o: { config?: string; logLevel?: string }) => {
      exit(
        await (await import('./node-command.ts')).nodeCommand([
          ...configArgs(o),
          ...(o.logLevel != null ? ['--log-level', o.logLevel] : [])
        ])
      )
    })

  program
    .command('id')
    .description(
      "print the node's peer id, IOTA address and listen addresses (asks the node " +
        'if it runs; else reads its data directory and creates its key if needed)'
    )
    .option('-c, --config <file>', 'the node config (YAML)')
    .addHelpText('after', example('kvartal id --config examples/node-seller.yaml'))
    .action(async (o: { config?: string }) => {
      exit(await (await import('./id-command.ts')).idAction(o))
    })

  program
    .command('init')
    .description("write a commented node config (<dir>/node.yaml) and create the node's key in <dir>/data")
    .option('--dir <dir>', 'where node.yaml and data/ go (default: the current directory)')
    .option('--district <name>', 'the local market, the same on every node of it (default: demo)')
    .option('--feeder <name>', "the node's feeder: writes the grid section (docs/feeders.md)")
    .option(
      '--listen <multiaddr>',
      'where peers reach it; repeat or comma-separate (default: /ip4/0.0.0.0/tcp/4101)',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), ...v.split(',').filter(s => s !== '')]
    )
    .option(
      '--meter <kind>',
      "the building's meter, its section written and documented: p1, han, mqtt, modbus, ocpp or none (default: none)",
      oneOf('--meter', ['p1', 'han', 'mqtt', 'modbus', 'ocpp', 'none'] as const)
    )
    .option('--meter-device <path>', 'p1, han: the serial device; modbus: a Modbus RTU line (default: /dev/ttyUSB0)')
    .option(
      '--meter-host <host[:port]>',
      'modbus: the device (Modbus TCP, port 502); ocpp: where to listen for the charger (default: 0.0.0.0:8887)'
    )
    .option('--meter-url <url>', 'mqtt: the broker (default: mqtt://192.168.1.10:1883)')
    .option('--meter-id <id>', "ocpp: the charge point's identity (default: CP-1); mqtt: the meter's name in its readings")
    .option('--force', 'replace an existing config, and rotate an existing key (the old one is kept)', false)
    .addHelpText(
      'after',
      example(
        'kvartal init --dir /var/lib/kvartal --district trondheim-sor --feeder f07 --meter han',
        'kvartal init --dir /var/lib/kvartal --meter modbus --meter-host 192.168.1.50',
        'kvartal init --dir /var/lib/kvartal --meter ocpp --meter-host 0.0.0.0:8887 --meter-id CP-0042'
      )
    )
    .action(async (o: Record<string, unknown>) => {
      exit(await (await import('./init-command.ts')).initCommand(o))
    })

  program
    .command('shares')
    .description("each node's grid.crossFeederShareWh: its feeder's transformer limit in proportion to its connection")
    .argument('[roster]', "a roster file (YAML): the feeders, their ratings and their buildings' connections")
    .allowExcessArguments(true)
    .option('--json', 'print the feeders, their limits and the shares as JSON', false)
    .addHelpText(
      'after',
      '\nThe roster (YAML; names must be unique, ratings and connections positive):\n' +
        "  slotSeconds: 900              # the nodes' slots.seconds (default 900)\n  feeders:\n    - name: f1\n" +
        '      ratingKva: 500            # the transformer, at power factor 1 (1 kVA carries 1 kW), as the simulator takes it\n' +
        '      buildings:\n        - { name: b-01, connectionKw: 17 }\n        - { name: b-02, connectionKw: 43.5 }\n' +
        "A feeder's limit is rating × slot in Wh, rounded down; a share is floor(limit × connection ÷ the feeder's " +
        'connections), so the shares add up to at most the limit (docs/feeders.md).\n' +
        example('kvartal shares roster.yaml', 'kvartal shares roster.yaml --json')
    )
    .action(async (_r: string | undefined, o: { json?: boolean }, c: Command) => {
      exit(await (await import('./shares-command.ts')).sharesCommand(c.args, o))
    })

  const keys = program
    .command('keys')
    .description("the node's key: show who it is, export the secret, rotate it (the node must be stopped to write)")
    .addHelpText('after', example('kvartal keys show --config node.yaml'))
  keys
    .command('show')
    .description('peer id, trader id, IOTA address and where the key is kept (never the secret)')
    .option('-d, --data-dir <dir>', "the node's data directory")
    .option('-c, --config <file>', 'a node config: its dataDir')
    .option('--json', 'print it as JSON', false)
    .addHelpText('after', example('kvartal keys show --config node.yaml'))
    .action(async (o: ClientOptions) => {
      exit(await (await import('./keys-command.ts')).keysShow(o))
    })
  keys
    .command('export')
    .description('write the secret key as a kvartal-key/1 JSON document (README "Keys"): to --out (mode 0600) or to a pipe')
    .option('-d, --data-dir <dir>', "the node's data directory")
    .option('-c, --config <file>', 'a node config: its dataDir')
    .option('--out <file>', 'write it here, mode 0600 (refuses an existing file without --force)')
    .option('--force', 'replace --out, or print the secret to a terminal', false)
    .addHelpText('after', example('kvartal keys export --config node.yaml --out /media/usb/node.key'))
    .action(async (o: ClientOptions & { out?: string; force?: boolean }) => {
      exit(await (await import('./keys-command.ts')).keysExport(o))
    })
  keys
    .command('rotate')
    .description('make a new key and keep the old one in <dataDir>/keys/; refused while anything is unsettled')
    .option('-c, --config <file>', 'the node config (YAML)')
    .addHelpText('after', example('kvartal keys rotate --config node.yaml'))
    .action(async (o: { config?: string }) => {
      exit(await (await import('./keys-command.ts')).keysRotate(o))
    })

  program
    .command('verify')
    .description(
      'prove one settled trade: both signatures, its Merkle inclusion proof and the attested root on the ledger (asks the node if it runs)'
    )
    .argument('[trade-id]', 'the 64-hex-digit trade id (the correlation of a trade-committed log line)')
    .allowExcessArguments(true)
    .option('-c, --config <file>', 'the node config (YAML)')
    .option('--json', 'print the checks as JSON', false)
    .addHelpText('after', example('kvartal verify 3f…e1 --config examples/node-seller.yaml'))
    .action(async (_t: string | undefined, o: { config?: string; json?: boolean }, c: Command) => {
      exit(await (await import('./verify-command.ts')).verifyAction(c.args, o))
    })

  program
    .command('faucet')
    .description("fund the node's IOTA address from the faucet of its test network (settlement.adapter: iota)")
    .option('-c, --config <file>', 'the node config (YAML)')
    .addHelpText('after', example('kvartal faucet --config node.yaml'))
    .action(async (o: { config?: string }) => {
      exit(await (await import('./node-command.ts')).faucetCommand(configArgs(o)))
    })

  clientCommand(
    program,
    'status',
    'who the node is: its peers, its meter and what it knows of the mobility market (a stopped node: who it is)'
  )
    .addHelpText('after', example('kvartal status --data-dir .kvartal/me', 'kvartal status --config node.yaml --json'))
    .action(async (o: ClientOptions) => {
      exit(await (await import('./status-command.ts')).statusCommand(o))
    })

  program
    .command('dashboard')
    .description(
      'a live page of the running node on 127.0.0.1: trades and prices per slot, open ' +
        'slots and book depth, negotiations as they happen, peers, settlement, meter gaps'
    )
    .option('-d, --data-dir <dir>', 'the data directory of a running node (it holds control.json)')
    .option('-c, --config <file>', 'a node config: its dataDir is the node to show')
    .option('--port <n>', "the page's port (default: a free one; the URL is printed on stderr)", portNumber('--port'))
    .option('--host <address>', 'a loopback address to listen on: 127.0.0.1 (default) or ::1; from elsewhere, use an SSH tunnel')
    .addHelpText(
      'after',
      '\nIt finds the node as `kvartal status` does (control.json in its data directory) and ' +
        'runs until Ctrl-C; a node that stops is said on the page and asked again every second.\n' +
        example(
          'kvartal dashboard --config node.yaml',
          'kvartal dashboard -d /var/lib/kvartal/data --port 8080',
          'ssh -L 8080:127.0.0.1:8080 pi@device kvartal dashboard --config ' +
            '/var/lib/kvartal/node.yaml --port 8080   # then open http://127.0.0.1:8080/ here'
        )
    )
    .action(async (o: ClientOptions & { port?: number; host?: string }) => {
      exit(await (await import('./dashboard-command.ts')).dashboardCommand(o))
    })

  const journey = program
    .command('journey')
    .description('plan, book, list and cancel journeys through a running node (its mobility section)')
    .addHelpText('after', example('kvartal journey plan --help'))
  planFlags(clientCommand(journey, 'plan', 'plan a journey: the Pareto set over arrival, price, CO₂, transfers and walking'))
    .addHelpText(
      'after',
      example('kvartal journey plan -d .kvartal/me --from 63.4291,10.3900 --to 63.4309,10.4171 --modes BUS --max-walk 800')
    )
    .action(async o => {
      exit(await (await import('./journey-command.ts')).journeyPlan(o))
    })
  planFlags(clientCommand(journey, 'book', 'book one journey of a plan (--plan <id>) or of a new plan (the plan flags): every leg or none'))
    .option('--plan <id>', 'a plan id that `kvartal journey plan` printed (kept 10 minutes)')
    .option('--pick <which>', 'fastest, cheapest, greenest, fewest-transfers, preferred or a journey number (default: preferred)')
    .addHelpText('after', example('kvartal journey book -d .kvartal/me --plan 0123456789abcdef --pick fastest'))
    .action(async o => {
      exit(await (await import('./journey-command.ts')).journeyBook(o))
    })
  clientCommand(journey, 'list', 'the packages this node booked')
    .addHelpText('after', example('kvartal journey list -d .kvartal/me'))
    .action(async (o: ClientOptions) => {
      exit(await (await import('./journey-command.ts')).journeyList(o))
    })
  clientCommand(journey, 'cancel', "cancel a confirmed package under its legs' cancellation terms")
    .argument('[package]', 'the package id (32 hex digits, `kvartal journey list` shows them)')
    .allowExcessArguments(true)
    .addHelpText('after', example('kvartal journey cancel 0123456789abcdef0123456789abcdef -d .kvartal/me'))
    .action(async (_p: string | undefined, o: ClientOptions, c: Command) => {
      exit(await (await import('./journey-command.ts')).journeyCancel(c.args, o))
    })

  const channel = program
    .command('channel')
    .description("a running node's trip-data channels: read them, grant and revoke readers, replicate from a peer")
    .addHelpText(
      'after',
      "\nA reader's key is a node's 64-hex public key: `kvartal id` prints it as trader.\n" +
        example('kvartal channel read trips --data-dir .kvartal/me')
    )
  clientCommand(channel, 'list', 'the channels this node holds: its own, and replicas')
    .addHelpText('after', example('kvartal channel list -d .kvartal/me'))
    .action(async (o: ClientOptions) => {
      exit(await (await import('./channel-command.ts')).channelList(o))
    })
  clientCommand(channel, 'read', "read one channel with this node's key (own channels also by name)")
    .argument('[channel]', 'a channel id (64 hex digits) or the name of an own channel (trips, rides)')
    .allowExcessArguments(true)
    .addHelpText('after', example('kvartal channel read trips -d .kvartal/me'))
    .action(async (_r: string | undefined, o: ClientOptions, c: Command) => {
      exit(await (await import('./channel-command.ts')).channelRead(c.args, o))
    })
  for (const verb of ['grant', 'revoke'] as const) {
    clientCommand(
      channel,
      verb,
      verb === 'grant'
        ? 'grant a node read access to an own channel'
        : "revoke a reader: the channel's key rotates, nothing written afterwards is readable to it"
    )
      .argument('[name]', 'the name of an own channel (trips, rides)')
      .allowExcessArguments(true)
      .option('--reader <key>', "the reader node's public key (64 hex digits)")
      .addHelpText('after', example(`kvartal channel ${verb} trips --reader <64-hex node key> -d .kvartal/me`))
      .action(async (_n: string | undefined, o: ClientOptions & { reader?: string }, c: Command) => {
        exit(await (await import('./channel-command.ts')).channelGrantOrRevoke(verb, c.args, o))
      })
  }
  clientCommand(channel, 'pull', 'replicate a channel from a peer over libp2p')
    .argument('[channel]', 'the channel id (64 hex digits)')
    .allowExcessArguments(true)
    .option('--peer <addr>', "a multiaddr (/ip4/…/tcp/…/p2p/<peer id>), a peer id, or a node's 64-hex key")
    .addHelpText('after', example('kvartal channel pull --peer /ip4/127.0.0.1/tcp/4001/p2p/12D3… <channel id> -d .kvartal/other'))
    .action(async (_i: string | undefined, o: ClientOptions & { peer?: string }, c: Command) => {
      exit(await (await import('./channel-command.ts')).channelPull(c.args, o))
    })

  program
    .command('completion')
    .description('print a shell completion script for bash or zsh')
    .argument('[shell]', 'bash or zsh')
    .allowExcessArguments(true)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh's ${fpath[1]}, printed for the user to type
    .addHelpText('after', example('source <(kvartal completion bash)', 'kvartal completion zsh > "${fpath[1]}/_kvartal"'))
    .action(async (_s: string | undefined, _o: unknown, c: Command) => {
      exit(await (await import('./completion.ts')).completionCommand(c.args, program))
    })

  return program
}
