import { KvartalError } from '@kvartal/protocol'
import { simCommand } from './sim-command.ts'
import { faucetCommand, nodeCommand, idCommand, verifyCommand } from './node-command.ts'

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
      case 'sim': return await simCommand(rest)
      case 'node': return await nodeCommand(rest)
      case 'id': return await idCommand(rest)
      case 'verify': return await verifyCommand(rest)
      case 'faucet': return await faucetCommand(rest)
      default:
        process.stderr.write(`kvartal: unknown command "${command}"\n\n${usage}`)
        return 2
    }
  } catch (err) {
    if (err instanceof KvartalError || ['ConfigError', 'SettlementError', 'TransientLedgerError', 'IotaConfigError'].includes((err as Error).name) || (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      process.stderr.write(`kvartal: ${(err as Error).message}\n`)
      return 2
    }
    process.stderr.write(`kvartal: unexpected error: ${(err as Error).stack ?? String(err)}\n`)
    return 1
  }
}
