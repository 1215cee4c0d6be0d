import { CommanderError, type Command } from 'commander'
import { ConfigError, KvartalError } from '@kvartal/protocol'
import { buildProgram } from './program.ts'

/**
 * What commander refused, as the ConfigError it is: the flag or argument named first, the way every
 * other bad input reads. `kvartal: --froom: unknown option (did you mean --from?)`.
 */
export function usageError(err: CommanderError, command: string): ConfigError {
  const quoted = /'([^']+)'/.exec(err.message)?.[1]
  const hint = /\(Did you mean (.+)\?\)/.exec(err.message)?.[1]
  const help = `\`${command} --help\` lists them`
  switch (err.code) {
    case 'commander.unknownOption':
      return new ConfigError(quoted ?? 'option', `unknown option of ${command} (${hint != null ? `did you mean ${hint}? ` : ''}${help})`)
    case 'commander.unknownCommand':
      return new ConfigError(
        'command',
        `"${quoted ?? ''}" is not a command of ${command} (${hint != null ? `did you mean ${hint}? ` : ''}${help})`
      )
    case 'commander.excessArguments':
      return new ConfigError('arguments', `${command} takes no arguments (${help})`)
    case 'commander.optionMissingArgument':
      // commander quotes the option as declared ('-d, --data-dir <dir>'): name its long flag
      return new ConfigError((quoted ?? '').split(/[ ,]+/).find(t => t.startsWith('--')) ?? 'option', 'needs a value')
    default:
      return new ConfigError('arguments', err.message.replace(/^error: /, ''))
  }
}

function ancestors(c: Command): string[] {
  return c.parent == null ? [] : [...ancestors(c.parent), c.name()]
}

/** Runs the CLI; returns the exit code. User errors print one clear line and no stack trace. */
export async function main(argv: string[]): Promise<number> {
  let code = 0
  const program = buildProgram(c => {
    code = c
  })
  // the command being parsed, for a message that says where an unknown option was given
  let cmd = program
  for (const a of argv) {
    const sub = cmd.commands.find(c => c.name() === a)
    if (sub == null) break
    cmd = sub
  }
  const current = ['kvartal', ...ancestors(cmd)].join(' ')
  try {
    if (argv.length === 0) {
      program.outputHelp()
      return 0
    }
    await program.parseAsync(argv, { from: 'user' })
    return code
  } catch (caught) {
    let err = caught
    if (err instanceof CommanderError) {
      // --help, --version, and `help`: done; help shown for a missing subcommand: bad usage
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0
      if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2
      err = usageError(err, current)
    }
    if (
      err instanceof KvartalError ||
      ['ConfigError', 'SettlementError', 'TransientLedgerError', 'IotaConfigError'].includes((err as Error).name)
    ) {
      process.stderr.write(`kvartal: ${(err as Error).message}\n`)
      // a client command says 1 when the node could not do what was asked, 2 for bad input
      const exit = (err as { exitCode?: unknown }).exitCode
      return typeof exit === 'number' ? exit : 2
    }
    process.stderr.write(`kvartal: unexpected error: ${(err as Error).stack ?? String(err)}\n`)
    return 1
  }
}
