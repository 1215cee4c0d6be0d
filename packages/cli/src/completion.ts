import type { Command } from 'commander'
import { ConfigError } from '@kvartal/protocol'

/** Every command path (`journey plan`) with the words that may follow it: its subcommands and its options. */
export function completionWords(program: Command): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const walk = (c: Command, path: string[]): void => {
    const words = [
      ...c.commands.map(s => s.name()),
      ...c.options.flatMap(o => [o.long, o.short].filter((f): f is string => f != null)),
      '--help'
    ]
    out.set(path.join(' '), words)
    for (const s of c.commands) walk(s, [...path, s.name()])
  }
  walk(program, [])
  return out
}

/**
 * A bash completion script, made from the command tree so that it never falls behind it: the words
 * typed so far that name commands choose the list; a file name completes anywhere else. zsh loads it
 * through bashcompinit.
 */
export function bashCompletion(program: Command): string {
  const cases = [...completionWords(program)].map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`).join('\n')
  return `# kvartal completion (bash; zsh: autoload -U +X bashcompinit && bashcompinit first)
_kvartal() {
  local cur path="" w words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$w" in -*) ;; *) case " $(_kvartal_words "$path") " in *" $w "*) path="\${path:+$path }$w" ;; esac ;; esac
  done
  words="$(_kvartal_words "$path")"
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  [ \${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}
_kvartal_words() {
  local words=""
  case "$1" in
${cases}
  esac
  echo "$words"
}
complete -F _kvartal kvartal
`
}

/** `kvartal completion bash|zsh`. */
export async function completionCommand(positionals: readonly string[], program: Command): Promise<number> {
  const shell = positionals[0]
  if (positionals.length !== 1 || (shell !== 'bash' && shell !== 'zsh'))
    throw new ConfigError('shell', `give bash or zsh: kvartal completion bash${shell != null ? `, got "${shell}"` : ''}`)
  process.stdout.write(
    shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${bashCompletion(program)}` : bashCompletion(program)
  )
  return 0
}
