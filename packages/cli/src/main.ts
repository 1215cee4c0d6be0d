import { KvartalError } from '@kvartal/protocol'

export const usage = `kvartal — edge mesh runtime for local energy markets

usage:
  kvartal sim [scenario.yaml] [--transport memory|tcp] [--out DIR] [--slots N]
      simulate a district on one machine (no file: the embedded Trondheim default)
  kvartal node --config node.yaml
      run one building node: TCP, mDNS and bootstrap discovery, persistent data directory
  kvartal id --config node.yaml
      print the node's peer id, IOTA address and listen addresses (creates its key if needed)
  kvartal verify <trade-id> --config node.yaml [--json]
      prove one settled trade: both signatures, its Merkle inclusion proof, and the attested root on the ledger
  kvartal faucet --config node.yaml
      fund the node's IOTA address from the faucet of its test network (settlement.adapter: iota)
  kvartal status --data-dir <dir> [--json]
      who a running node is, its peers, what it knows of the mobility market
  kvartal journey plan --data-dir <dir> --from <lat,lon> --to <lat,lon> [--depart <ISO|+min>] [--arrive <ISO|+min>]
                       [--modes BUS,BICYCLE] [--avoid CAR] [--max-walk 800] [--accessibility WHEELCHAIR] [--json]
  kvartal journey book (the plan flags | --plan <id>) [--pick fastest|cheapest|greenest|fewest-transfers|preferred|<n>] [--json]
  kvartal journey list --data-dir <dir> [--json]
  kvartal journey cancel <package> --data-dir <dir> [--json]
      plan, book and cancel journeys through a running node (its mobility section)
  kvartal channel list|read <id|name>|grant <name> --reader <hex>|revoke <name> --reader <hex>|pull --peer <addr> <id> --data-dir <dir> [--json]
      a running node's trip-data channels: read them, grant and revoke readers, replicate from a peer
  (the commands that talk to a running node take --data-dir, or --config node.yaml, and find it by <dataDir>/control.json)
  kvartal help
`

/** Runs the CLI; returns the exit code. User errors print one clear line and no stack trace. */
export async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(usage)
        return 0
      // each command loads only what it needs: a client command starts in a fraction of a second
      case 'sim': return await (await import('./sim-command.ts')).simCommand(rest)
      case 'node': return await (await import('./node-command.ts')).nodeCommand(rest)
      case 'id': return await (await import('./node-command.ts')).idCommand(rest)
      case 'verify': return await (await import('./node-command.ts')).verifyCommand(rest)
      case 'faucet': return await (await import('./node-command.ts')).faucetCommand(rest)
      case 'status': return await (await import('./status-command.ts')).statusCommand(rest)
      case 'journey': return await (await import('./journey-command.ts')).journeyCommand(rest)
      case 'channel': return await (await import('./channel-command.ts')).channelCommand(rest)
      default:
        process.stderr.write(`kvartal: unknown command "${command}"\n\n${usage}`)
        return 2
    }
  } catch (err) {
    if (err instanceof KvartalError || ['ConfigError', 'SettlementError', 'TransientLedgerError', 'IotaConfigError'].includes((err as Error).name) || (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      process.stderr.write(`kvartal: ${(err as Error).message}\n`)
      // a client command says 1 when the node could not do what was asked, 2 for bad input
      const exit = (err as { exitCode?: unknown }).exitCode
      return typeof exit === 'number' ? exit : 2
    }
    process.stderr.write(`kvartal: unexpected error: ${(err as Error).stack ?? String(err)}\n`)
    return 1
  }
}
