/**
 * A network for the soak's processes, one Linux network namespace per node: each node's own stack, a
 * veth pair to a bridge in the host's namespace, an address of its own in a /24. The bridge carries
 * the host's address, where the ledger (the test double) listens, so every node reaches it.
 *
 * Faults are netfilter rules inside the namespaces (`iptables`, which on these machines is the
 * nf_tables backend: the rules are nftables rules; Debian's `nft` command is not needed for them):
 *  - a partition splits the nodes into two sides; each node drops every packet to and from the other
 *    side (silently, as a cut cable does: connections hang until their timeouts, nothing is refused);
 *  - loss drops a share of the packets that reach a node from other nodes (`statistic --mode random`),
 *    never those from the ledger's address.
 * No `netem` in these kernels: no delay or reordering.
 *
 * Needs root (CAP_NET_ADMIN) and the `ip` and `iptables` commands; `SoakNetwork.unavailable()` says why
 * not where they are missing. Everything made is removed by `close()`, and names carry the creating
 * process's id, so two runs on one machine do not meet.
 */
import { execFile, spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

export class NetnsUnavailableError extends Error {
  readonly code = 'netns-unavailable'
}

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 10_000 })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`)
  }
}

export class SoakNetwork {
  /** the nodes' namespaces, in the district's order */
  readonly namespaces: readonly string[]
  /** the nodes' addresses, in the district's order */
  readonly addresses: readonly string[]
  /** the host's address on the bridge: where the ledger listens */
  readonly hostAddress: string
  readonly #bridge: string
  readonly #subnet: string
  #partitioned = false
  /** packets dropped by partitions already healed (their rules, and counters, are gone) */
  #healedDrops = 0

  private constructor(tag: string, count: number, third: number) {
    this.#bridge = `kvb${tag}`
    this.#subnet = `10.213.${third}.0/24`
    this.hostAddress = `10.213.${third}.1`
    this.namespaces = Array.from({ length: count }, (_, i) => `kvsoak${tag}-${i}`)
    this.addresses = Array.from({ length: count }, (_, i) => `10.213.${third}.${i + 2}`)
  }

  /** Why namespaces cannot be made here, or undefined when they can. */
  static async unavailable(): Promise<string | undefined> {
    if (process.platform !== 'linux') return 'network namespaces are Linux only'
    if (process.getuid?.() !== 0) return 'network namespaces need root (CAP_NET_ADMIN); run as root'
    const has = async (cmd: string, args: string[]): Promise<boolean> =>
      await run(cmd, args, { timeout: 5_000 }).then(
        () => true,
        () => false
      )
    if (!(await has('ip', ['-V']))) return 'the `ip` command is missing (Debian: apt-get install iproute2)'
    if (await has('iptables', ['--version'])) return undefined
    // the test's own setup installs it (a fresh machine has none), as the browser tests install Chromium
    if (process.env.KVARTAL_NO_APT === '1') return 'the `iptables` command is missing and KVARTAL_NO_APT=1 forbids installing it'
    const script = fileURLToPath(new URL('./install-iptables.sh', import.meta.url))
    const lock = join(tmpdir(), 'kvartal-apt.lock')
    const err = await run('flock', ['-w', '280', lock, 'nice', '-n', '19', 'bash', script], { timeout: 290_000 }).then(
      () => undefined,
      (e: Error & { stderr?: string }) => `${e.message} ${e.stderr ?? ''}`.trim()
    )
    if (await has('iptables', ['--version'])) return undefined
    return `the \`iptables\` command is missing and install-iptables.sh could not install it: ${err ?? 'not found after install'}`
  }

  /** Makes the bridge and one namespace per node, each with its address and a chain for faults. */
  static async create(count: number): Promise<SoakNetwork> {
    const why = await SoakNetwork.unavailable()
    if (why != null) throw new NetnsUnavailableError(why)
    if (count < 1 || count > 250) throw new RangeError(`1–250 nodes fit one /24, got ${count}`)
    const tag = (process.pid % 0xfffff).toString(16)
    const net = new SoakNetwork(tag, count, 1 + (process.pid % 250))
    try {
      await sh('ip', ['link', 'add', net.#bridge, 'type', 'bridge'])
      await sh('ip', ['addr', 'add', `${net.hostAddress}/24`, 'dev', net.#bridge])
      await sh('ip', ['link', 'set', net.#bridge, 'up'])
      for (let i = 0; i < count; i++) {
        const ns = net.namespaces[i]
        const host = `kv${tag}h${i}`
        await sh('ip', ['netns', 'add', ns])
        await sh('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
        await sh('ip', ['link', 'set', host, 'master', net.#bridge, 'up'])
        await net.#in(i, 'ip', ['addr', 'add', `${net.addresses[i]}/24`, 'dev', 'eth0'])
        await net.#in(i, 'ip', ['link', 'set', 'eth0', 'up'])
        await net.#in(i, 'ip', ['link', 'set', 'lo', 'up'])
        // a chain each for partitions and loss, consulted first on the way in and out
        for (const chain of ['KVPART', 'KVLOSS']) await net.#in(i, 'iptables', ['-N', chain])
        await net.#in(i, 'iptables', ['-I', 'INPUT', '-j', 'KVPART'])
        await net.#in(i, 'iptables', ['-I', 'OUTPUT', '-j', 'KVPART'])
        await net.#in(i, 'iptables', ['-A', 'INPUT', '-j', 'KVLOSS'])
      }
      return net
    } catch (err) {
      await net.close()
      throw err
    }
  }

  /** The command prefix that runs a program in node `i`'s namespace. */
  prefix(i: number): string[] {
    return ['ip', 'netns', 'exec', this.namespaces[i]]
  }

  async #in(i: number, cmd: string, args: string[]): Promise<string> {
    return await sh('ip', ['netns', 'exec', this.namespaces[i], cmd, ...args])
  }

  /** Cuts every link between `side` and the other nodes (both ways), until `heal()`. */
  async partition(side: readonly number[]): Promise<void> {
    const a = new Set(side)
    await Promise.all(
      this.addresses.map(async (_, i) => {
        const far = this.addresses.filter((_, j) => a.has(j) !== a.has(i))
        // one iptables-restore a namespace: the cut comes at once, not rule by rule
        await this.#restore(
          i,
          far.flatMap(ip => [`-A KVPART -s ${ip} -j DROP`, `-A KVPART -d ${ip} -j DROP`])
        )
      })
    )
    this.#partitioned = true
  }

  async #restore(i: number, rules: string[]): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const p = spawn('ip', ['netns', 'exec', this.namespaces[i], 'iptables-restore', '--noflush'], { stdio: ['pipe', 'ignore', 'pipe'] })
      let err = ''
      p.stderr.on('data', (c: Buffer) => {
        err += c.toString()
      })
      p.on('error', reject)
      p.on('exit', code => {
        code === 0 ? resolve() : reject(new Error(`iptables-restore in ${this.namespaces[i]}: ${err.trim() || `exit ${code}`}`))
      })
      p.stdin.end(['*filter', ...rules, 'COMMIT', ''].join('\n'))
    })
  }

  /** Joins the sides again. */
  async heal(): Promise<void> {
    if (!this.#partitioned) return
    this.#healedDrops += await this.#counted('KVPART')
    await Promise.all(
      this.addresses.map(async (_, i) => {
        await this.#in(i, 'iptables', ['-F', 'KVPART'])
      })
    )
    this.#partitioned = false
  }

  /** Drops `percent` % of what each node receives from the other nodes (0: none). */
  async loss(percent: number): Promise<void> {
    if (!(percent >= 0 && percent < 100)) throw new RangeError(`loss must be 0–99 %, got ${percent}`)
    await Promise.all(
      this.addresses.map(async (_, i) => {
        await this.#in(i, 'iptables', ['-F', 'KVLOSS'])
        // the ledger's packets pass untouched; of the other nodes', a random share is dropped
        if (percent > 0)
          await this.#restore(i, [
            `-A KVLOSS -s ${this.hostAddress} -j RETURN`,
            `-A KVLOSS -s ${this.#subnet} -m statistic --mode random --probability ${percent / 100} -j DROP`
          ])
      })
    )
  }

  /** Packets the rules dropped, summed over the nodes: by partitions (healed ones too) and by loss. */
  async dropped(): Promise<{ partition: number; loss: number }> {
    return { partition: this.#healedDrops + (await this.#counted('KVPART')), loss: await this.#counted('KVLOSS') }
  }

  async #counted(chain: string): Promise<number> {
    let n = 0
    for (let i = 0; i < this.namespaces.length; i++) {
      const out = await this.#in(i, 'iptables', ['-L', chain, '-v', '-x', '-n']).catch(() => '')
      // a header line, a column line, then one rule a line: packets, bytes, target, …
      for (const l of out.split('\n').slice(2)) {
        const [packets, , target] = l.trim().split(/\s+/)
        if (target === 'DROP') n += Number(packets) || 0
      }
    }
    return n
  }

  /** Removes the namespaces (their veths and rules with them) and the bridge. */
  async close(): Promise<void> {
    for (const ns of this.namespaces) await sh('ip', ['netns', 'del', ns]).catch(() => {})
    await sh('ip', ['link', 'del', this.#bridge]).catch(() => {})
  }
}
